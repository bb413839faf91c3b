#include "config/security_section.hpp"

#include "config/typed_read.hpp"

namespace csh::config::detail {
namespace {

SecurityItem read_item(const Value& section, std::string_view key) {
    const Value& item = child(section, key);
    return {text_of(child(item, "mode")), texts_of(child(item, "allow")), texts_of(child(item, "deny"))};
}

}  // namespace

SecuritySettings read_security(const Value& section) {
    SecuritySettings settings;
    settings.default_mode = text_of(child(section, "defaultMode"));
    settings.force_command = text_of(child(section, "forceCommand"));
    settings.max_sessions = integer_of(child(section, "maxSessions"));
    settings.max_channels = integer_of(child(section, "maxChannels"));
    settings.max_pending_signals = integer_of(child(section, "maxPendingSignals"));
    settings.max_forward_listeners = integer_of(child(section, "maxForwardListeners"));
    settings.env = read_item(section, "env");
    settings.env_max_variables = integer_of(child(child(section, "env"), "maxVariables"));
    settings.env_max_bytes = integer_of(child(child(section, "env"), "maxBytes"));
    settings.command = read_item(section, "command");
    settings.shell = read_item(section, "shell");
    settings.subsystem = read_item(section, "subsystem");
    settings.tty = read_item(section, "tty");
    settings.signal = read_item(section, "signal");
    const Value& forwarding = child(section, "forwarding");
    settings.forwarding_mode = text_of(child(forwarding, "forwardingMode"));
    settings.reverse_forwarding_mode = text_of(child(forwarding, "reverseForwardingMode"));
    settings.agent_forwarding_mode = text_of(child(forwarding, "agentForwardingMode"));
    settings.x11_forwarding_mode = text_of(child(forwarding, "x11ForwardingMode"));
    return settings;
}

}  // namespace csh::config::detail
