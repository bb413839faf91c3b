// What the guest agent (agent/) and the backends that run it (Docker today,
// Kubernetes next) agree on, beyond ContainerSSH's command-line flags. A
// contract between two of our programs, not part of the plugin SDK.
#pragma once

namespace csh::agent {

// Set in the environment of `console` when the backend will size the
// program's terminal right after starting it: the agent waits for the size
// (at most kAwaitTerminalSizeSeconds) before it executes the program, then
// removes the variable. ContainerSSH's agent ignores it.
inline constexpr const char* kAwaitTerminalSizeVariable = "CONTAINERSSH_AGENT_AWAIT_TERMINAL_SIZE";
inline constexpr int kAwaitTerminalSizeSeconds = 2;

}  // namespace csh::agent
