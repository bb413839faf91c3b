// The `security` section of one connection's effective configuration (the
// file, merged with the configuration server's answer for the user), as
// decisions: may this env variable be set, this command run, a terminal be
// allocated, ... (reference §2.11). Immutable once built; connections that
// share a configuration share one Policy.
//
// The channel code asks; it alone refuses, logs and audits
// (ssh/request_policy.hpp, SessionChannel::submit).
#pragma once

#include "config/security_settings.hpp"
#include "security/rule.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace csh::security {

// Ours: ceilings on what one client can make the gateway hold or start,
// whatever the modes allow (docs/security.md, "Limits"). The defaults are
// the schema's.
struct Limits {
    std::size_t max_channels = 64;         // security.maxChannels, per connection
    std::size_t max_pending_signals = 16;  // security.maxPendingSignals, per channel
    std::size_t max_forward_listeners = 16;  // security.maxForwardListeners, per connection
    std::size_t env_max_variables = 128;   // security.env.maxVariables, per session
    std::size_t env_max_bytes = 65536;     // security.env.maxBytes, per session
};

class Policy {
public:
    // Everything allowed but forwarding, nothing forced, no session limit: an empty section.
    Policy() = default;
    explicit Policy(const config::SecuritySettings& settings);

    bool allows_env(std::string_view name) const { return env_.allows(name); }
    // Exact match of the whole command line the client sent.
    bool allows_command(std::string_view command) const { return command_.allows(command); }
    bool allows_shell() const { return shell_.allows({}); }
    bool allows_subsystem(std::string_view name) const { return subsystem_.allows(name); }
    bool allows_tty() const { return tty_.allows({}); }
    // `name` as RFC 4254 sends it ("TERM"); a "SIG" prefix is ignored, here
    // and in the lists, so "SIGTERM" in a file means TERM.
    bool allows_signal(std::string_view name) const;

    // The command every shell, exec and subsystem request runs instead; "" for none.
    const std::string& forced_command() const { return forced_command_; }
    // True when a connection with `open_sessions` session channels may not open another.
    bool session_limit_reached(std::size_t open_sessions) const;
    // -1 = no limit.
    std::int64_t max_sessions() const { return max_sessions_; }
    const Limits& limits() const { return limits_; }
    // security.forwarding.forwardingMode: direct-tcpip channels (ssh -L, -D,
    // -W). Only enable allows them: a channel open carries nothing a filter
    // could match, so filter refuses like disable (as ContainerSSH).
    Mode forwarding_mode() const { return forwarding_mode_; }
    bool allows_forwarding() const { return forwarding_mode_ == Mode::enable; }
    // security.forwarding.reverseForwardingMode: tcpip-forward (ssh -R), by
    // the same rule (a filter has nothing to match).
    Mode reverse_forwarding_mode() const { return reverse_forwarding_mode_; }
    bool allows_reverse_forwarding() const { return reverse_forwarding_mode_ == Mode::enable; }
    // security.forwarding.agentForwardingMode (ours): auth-agent-req (ssh -A),
    // by the same rule.
    Mode agent_forwarding_mode() const { return agent_forwarding_mode_; }
    bool allows_agent_forwarding() const { return agent_forwarding_mode_ == Mode::enable; }
    // security.forwarding.x11ForwardingMode: x11-req (ssh -X, -Y), by the same rule.
    Mode x11_forwarding_mode() const { return x11_forwarding_mode_; }
    bool allows_x11_forwarding() const { return x11_forwarding_mode_ == Mode::enable; }

    // Each item's effective mode, for the reason given with a refusal.
    Mode env_mode() const { return env_.mode(); }
    Mode command_mode() const { return command_.mode(); }
    Mode shell_mode() const { return shell_.mode(); }
    Mode subsystem_mode() const { return subsystem_.mode(); }
    Mode tty_mode() const { return tty_.mode(); }
    Mode signal_mode() const { return signal_.mode(); }

private:
    Rule env_;
    Rule command_;
    Rule shell_;
    Rule subsystem_;
    Rule tty_;
    Rule signal_;
    std::string forced_command_;
    std::int64_t max_sessions_ = -1;
    Limits limits_;
    Mode forwarding_mode_ = Mode::disable;
    Mode reverse_forwarding_mode_ = Mode::disable;
    Mode agent_forwarding_mode_ = Mode::disable;
    Mode x11_forwarding_mode_ = Mode::disable;
};

}  // namespace csh::security
