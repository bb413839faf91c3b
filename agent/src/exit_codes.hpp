// Exit codes the gateway interprets; the numbers are those of ContainerSSH's
// agent, so a gateway of either implementation reads either agent correctly.
#pragma once

namespace csh::agent {

constexpr int kExitOk = 0;
// Bad command line: unknown mode or option, missing or malformed value.
constexpr int kExitUsage = 1;

// console
constexpr int kExitStdinRead = 2;    // --wait: EOF, read error or a byte other than \0 / \n
constexpr int kExitPidWrite = 3;     // --pid: stdout could not take the 4 bytes
constexpr int kExitExecFailed = 127; // PROGRAM could not be executed

// signal
constexpr int kExitNoSuchProcess = 2;
constexpr int kExitSignalFailed = 3;

// write-file
constexpr int kExitWriteFailed = 1;

}  // namespace csh::agent
