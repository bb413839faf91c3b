#include "ssh/request_policy.hpp"

#include "log/codes.hpp"

namespace csh::ssh {
namespace {

// "security.env (mode filter) does not allow setting FOO": the key to change and why.
std::string why(const char* key, security::Mode mode, const std::string& what) {
    return std::string("security.") + key + " (mode " + security::mode_name(mode) + ") does not allow " + what;
}

PolicyVerdict refuse(const char* code, std::string field, std::string item, std::string reason,
                     std::string user_message = {}) {
    PolicyVerdict v;
    v.action = PolicyVerdict::Action::refuse;
    v.code = code;
    v.item_field = std::move(field);
    v.item = std::move(item);
    v.reason = std::move(reason);
    v.user_message = std::move(user_message);
    return v;
}

// Under forceCommand the forced command runs whatever the shell, command
// and subsystem modes say: the operator named the one program to run, as
// OpenSSH's ForceCommand does.
PolicyVerdict forced(const ChannelRequest& request) {
    PolicyVerdict v;
    v.action = PolicyVerdict::Action::force_command;
    v.set_original_command = request.kind != RequestKind::shell;
    if (v.set_original_command) v.original_command = request.key;
    return v;
}

}  // namespace

PolicyVerdict judge(const security::Policy& policy, const ChannelRequest& request) {
    const std::string& key = request.key;
    if (starts_program(request.kind) && !policy.forced_command().empty()) return forced(request);
    switch (request.kind) {
        case RequestKind::env:
            if (policy.allows_env(key)) return {};
            return refuse(codes::SECURITY_ENV_REJECTED, "env", key,
                          why("env", policy.env_mode(), "setting " + key));
        case RequestKind::exec:
            if (policy.allows_command(key)) return {};
            return refuse(codes::SECURITY_EXEC_REJECTED, "command", key,
                          why("command", policy.command_mode(), "this command"),
                          "This command is not allowed on this server.");
        case RequestKind::shell:
            if (policy.allows_shell()) return {};
            return refuse(codes::SECURITY_SHELL_REJECTED, "", "",
                          why("shell", policy.shell_mode(), "a shell"),
                          "Interactive shells are not allowed on this server.");
        case RequestKind::subsystem:
            if (policy.allows_subsystem(key)) return {};
            return refuse(codes::SECURITY_SUBSYSTEM_REJECTED, "subsystem", key,
                          why("subsystem", policy.subsystem_mode(), "the subsystem " + key),
                          "The subsystem " + key + " is not allowed on this server.");
        case RequestKind::pty:
            if (policy.allows_tty()) return {};
            return refuse(codes::SECURITY_TTY_REJECTED, "", "",
                          why("tty", policy.tty_mode(), "a terminal"));
        case RequestKind::signal:
            if (policy.allows_signal(key)) return {};
            return refuse(codes::SECURITY_SIGNAL_REJECTED, "signal", key,
                          why("signal", policy.signal_mode(), "the signal " + key));
        case RequestKind::x11: {
            if (policy.allows_x11_forwarding()) return {};
            std::string reason = why("forwarding.x11ForwardingMode", policy.x11_forwarding_mode(), "X11 forwarding");
            if (policy.x11_forwarding_mode() == security::Mode::filter) {
                reason += ": filtering is not supported, the request has nothing to match";
            }
            return refuse(codes::SECURITY_X11_FORWARDING_REJECTED, "", "", reason);
        }
        case RequestKind::window_change:
        case RequestKind::unknown:
            return {};
    }
    return {};
}

}  // namespace csh::ssh
