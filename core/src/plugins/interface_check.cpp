#include "plugins/interface_check.hpp"

#include <containerssh/plugin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <utility>

namespace csh::plugins {
namespace {

using Defect = std::optional<InterfaceDefect>;

// One entry of a required-slot list: its name and whether it is set.
#define CSH_SLOT(table, field) Slot{#field, (table).field != nullptr}

struct Slot {
    const char* name;
    bool present;
};

Defect first_null(const char* kind, std::initializer_list<Slot> slots) {
    for (const Slot& slot : slots) {
        if (!slot.present) return InterfaceDefect{std::string(kind) + "." + slot.name, "is NULL"};
    }
    return std::nullopt;
}

// Every table starts with uint32_t struct_size; no other field is read before
// it has been compared with the table's ABI 1.0 end (the header's
// CSH_*_V1_END, which the plugin-api layout test pins to numbers).
template <typename Table>
Defect check_size(const char* kind, const void* table, std::size_t v1_size) {
    std::uint32_t struct_size = 0;
    std::memcpy(&struct_size, table, sizeof struct_size);
    if (struct_size >= v1_size) return std::nullopt;
    return InterfaceDefect{std::string(kind) + ".struct_size",
                           "is " + std::to_string(struct_size) + " bytes, version 1 needs at least " +
                               std::to_string(v1_size)};
}

Defect auth_defect(const void* raw) {
    if (auto d = check_size<csh_auth_interface>("auth", raw, CSH_AUTH_INTERFACE_V1_END)) {
        return d;
    }
    const auto& t = *static_cast<const csh_auth_interface*>(raw);
    if (t.methods == 0) return InterfaceDefect{"auth.methods", "is 0: the plugin serves no method"};
    // Only the methods the plugin advertises need their slot.
    const auto needs = [&t](std::uint32_t bit, bool present) { return (t.methods & bit) == 0 || present; };
    return first_null("auth", {
        Slot{"password", needs(CSH_AUTH_METHOD_PASSWORD, t.password != nullptr)},
        Slot{"public_key", needs(CSH_AUTH_METHOD_PUBLIC_KEY, t.public_key != nullptr)},
        Slot{"keyboard_interactive",
             needs(CSH_AUTH_METHOD_KEYBOARD_INTERACTIVE, t.keyboard_interactive != nullptr)},
        Slot{"authorize", needs(CSH_AUTH_METHOD_AUTHORIZATION, t.authorize != nullptr)},
    });
}

Defect config_defect(const void* raw) {
    if (auto d = check_size<csh_config_interface>("config", raw,
                                                  CSH_CONFIG_INTERFACE_V1_END)) {
        return d;
    }
    const auto& t = *static_cast<const csh_config_interface*>(raw);
    return first_null("config", {CSH_SLOT(t, connection_config)});
}

Defect backend_defect(const void* raw) {
    if (auto d = check_size<csh_backend_interface>("backend", raw,
                                                   CSH_BACKEND_INTERFACE_V1_END)) {
        return d;
    }
    const auto& t = *static_cast<const csh_backend_interface*>(raw);
    // env, pty, shell, subsystem, window_change and signal are optional since
    // ABI 1.2: NULL means the host refuses that request itself.
    return first_null("backend", {
        CSH_SLOT(t, connection_open), CSH_SLOT(t, connection_close), CSH_SLOT(t, session_open),
        CSH_SLOT(t, session_exec), CSH_SLOT(t, session_stdin), CSH_SLOT(t, session_stdin_eof),
        CSH_SLOT(t, session_output_ready), CSH_SLOT(t, session_close),
    });
}

Defect audit_defect(const void* raw) {
    if (auto d = check_size<csh_audit_interface>("audit", raw, CSH_AUDIT_INTERFACE_V1_END)) {
        return d;
    }
    const auto& t = *static_cast<const csh_audit_interface*>(raw);
    return first_null("audit", {CSH_SLOT(t, stream_open), CSH_SLOT(t, stream_event), CSH_SLOT(t, stream_close)});
}

Defect metrics_defect(const void* raw) {
    if (auto d = check_size<csh_metrics_interface>("metrics", raw, CSH_METRICS_INTERFACE_V1_END)) {
        return d;
    }
    const auto& t = *static_cast<const csh_metrics_interface*>(raw);
    return first_null("metrics", {CSH_SLOT(t, start), CSH_SLOT(t, stop)});
}

#undef CSH_SLOT

}  // namespace

std::optional<InterfaceDefect> find_interface_defect(const char* interface_id, const void* table) {
    using Check = Defect (*)(const void*);
    static const std::pair<const char*, Check> known[] = {
        {CSH_AUTH_INTERFACE_ID, auth_defect},       {CSH_CONFIG_INTERFACE_ID, config_defect},
        {CSH_BACKEND_INTERFACE_ID, backend_defect}, {CSH_AUDIT_INTERFACE_ID, audit_defect},
        {CSH_METRICS_INTERFACE_ID, metrics_defect},
    };
    for (const auto& [id, check] : known) {
        if (std::strcmp(id, interface_id) == 0) return check(table);
    }
    return std::nullopt;
}

}  // namespace csh::plugins
