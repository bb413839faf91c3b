#include "security/policy.hpp"

namespace csh::security {
namespace {

std::string_view without_sig(std::string_view name) {
    if (name.substr(0, 3) == "SIG") name.remove_prefix(3);
    return name;
}

config::SecurityItem signal_names_without_sig(config::SecurityItem item) {
    for (auto* list : {&item.allow, &item.deny}) {
        for (auto& name : *list) name = std::string(without_sig(name));
    }
    return item;
}

}  // namespace

Policy::Policy(const config::SecuritySettings& s)
    : env_(s.env, s.default_mode),
      command_(s.command, s.default_mode),
      // No lists: filter lets nothing through, which is what ContainerSSH
      // documents for shell and tty ("filter == disable").
      shell_(config::SecurityItem{s.shell.mode, {}, {}}, s.default_mode),
      subsystem_(s.subsystem, s.default_mode),
      tty_(config::SecurityItem{s.tty.mode, {}, {}}, s.default_mode),
      signal_(signal_names_without_sig(s.signal), s.default_mode),
      forced_command_(s.force_command),
      max_sessions_(s.max_sessions),
      limits_{static_cast<std::size_t>(s.max_channels), static_cast<std::size_t>(s.max_pending_signals),
              static_cast<std::size_t>(s.max_forward_listeners), static_cast<std::size_t>(s.env_max_variables),
              static_cast<std::size_t>(s.env_max_bytes)},
      // Not defaultMode: forwarding has its own default (disable).
      forwarding_mode_(effective_mode(s.forwarding_mode, "disable")),
      reverse_forwarding_mode_(effective_mode(s.reverse_forwarding_mode, "disable")),
      agent_forwarding_mode_(effective_mode(s.agent_forwarding_mode, "disable")),
      x11_forwarding_mode_(effective_mode(s.x11_forwarding_mode, "disable")) {}

bool Policy::allows_signal(std::string_view name) const { return signal_.allows(without_sig(name)); }

bool Policy::session_limit_reached(std::size_t open_sessions) const {
    return max_sessions_ >= 0 && open_sessions >= static_cast<std::size_t>(max_sessions_);
}

}  // namespace csh::security
