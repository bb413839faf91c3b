// The `security` section as the file (merged with a configuration server's
// answer) states it, after the schema check (reference §2.11). Modes stay
// the text written ("", "enable", "filter" or "disable"): what they mean,
// and how an item falls back to defaultMode, is decided in one place,
// security::Policy.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace csh::config {

// One of env, command, shell, subsystem, tty, signal. command has no deny
// list and shell and tty have no lists at all: those stay empty.
struct SecurityItem {
    std::string mode;
    std::vector<std::string> allow;
    std::vector<std::string> deny;
};

struct SecuritySettings {
    std::string default_mode;
    std::string force_command;   // "" = none
    std::int64_t max_sessions = -1;  // per connection; -1 = no limit
    // Ours: channels of any type open at once on one connection, whatever
    // maxSessions says; signals waiting for the backend, per channel.
    std::int64_t max_channels = 64;
    std::int64_t max_pending_signals = 16;
    // Ours: remote forwards (ssh -R listeners) open at once on one connection.
    std::int64_t max_forward_listeners = 16;
    // Ours: env requests one session may pass to the backend, by count and
    // by the bytes of names and values together.
    std::int64_t env_max_variables = 128;
    std::int64_t env_max_bytes = 65536;
    SecurityItem env;
    SecurityItem command;
    SecurityItem shell;
    SecurityItem subsystem;
    SecurityItem tty;
    SecurityItem signal;
    // security.forwarding.forwardingMode (direct-tcpip: ssh -L, -D, -W).
    // Its own default, "disable": defaultMode does not reach it (as
    // ContainerSSH, whose defaults fill the forwarding keys).
    std::string forwarding_mode = "disable";
    // security.forwarding.reverseForwardingMode (tcpip-forward: ssh -R), the same way.
    std::string reverse_forwarding_mode = "disable";
    // security.forwarding.agentForwardingMode (ours: auth-agent-req, ssh -A), the same way.
    std::string agent_forwarding_mode = "disable";
    // security.forwarding.x11ForwardingMode (x11-req: ssh -X, -Y), the same way.
    std::string x11_forwarding_mode = "disable";
};

}  // namespace csh::config
