// The plugin object and the macro that turns a C++ class into a plugin.
//
//     class MyAuth final : public csh::sdk::AuthPlugin {
//     public:
//         explicit MyAuth(csh::sdk::Host host) : Plugin(host) { ... }
//         ...
//     };
//     CSH_DECLARE_PLUGIN(MyAuth, "io.example.auth", "My auth", "1.0.0",
//                        "Checks passwords against ...", CSH_PROVIDES("auth/my"),
//                        myauth::kMessageTable)
//
// The macro defines the constant descriptor and the one exported symbol,
// containerssh_plugin_entry. `init` constructs the class from a Host (an
// exception thrown by the constructor is logged and init returns
// CSH_FAILED), `deinit` deletes it, and `get_interface` forwards to
// Plugin::get_interface, which each kind's base class implements.
//
// Plugin is a virtual base of the kind base classes (AuthPlugin, ...), so one
// class may implement several kinds; the most-derived class initialises it
// with `Plugin(host)` and, when it derives from several kinds, overrides
// get_interface to ask each base in turn.
#pragma once

#include <containerssh/sdk/host.hpp>
#include <containerssh/sdk/messages.hpp>

#include <iterator>
#include <memory>
#include <string_view>

namespace csh::sdk {

class Plugin {
public:
    explicit Plugin(Host host) : host_(std::move(host)) {}
    Plugin(const Plugin&) = delete;
    Plugin& operator=(const Plugin&) = delete;
    virtual ~Plugin() = default;

    // [control] The interface table with this versioned id, or NULL.
    virtual const void* get_interface(std::string_view /*interface_id*/) { return nullptr; }

    const Host& host() const { return host_; }

    // The opaque handle the host knows this instance by, and back.
    csh_plugin_instance* handle() { return reinterpret_cast<csh_plugin_instance*>(this); }
    static Plugin& from(csh_plugin_instance* instance) { return *reinterpret_cast<Plugin*>(instance); }

    // The kind base `Kind` of the plugin behind `instance` (a trampoline's
    // way back to the C++ object).
    template <class Kind>
    static Kind& kind_of(csh_plugin_instance* instance) {
        return dynamic_cast<Kind&>(from(instance));
    }

private:
    Host host_;
};

namespace detail {

template <class PluginClass>
csh_status init_plugin(const csh_host* raw_host, csh_plugin_instance** out_instance, const csh_message_code* codes,
                       std::size_t code_count) noexcept {
    Host host(raw_host, internal_error_code(codes, code_count));
    if (out_instance == nullptr) return CSH_INVALID;
    try {
        Plugin* plugin = new PluginClass(host);
        *out_instance = plugin->handle();
        return CSH_OK;
    } catch (...) {
        host.log_current_exception("plugin.init");
        return CSH_FAILED;
    }
}

inline void deinit_plugin(csh_plugin_instance* instance) noexcept {
    Plugin* plugin = &Plugin::from(instance);
    try {
        delete plugin;
    } catch (...) {
        // A destructor that throws terminates anyway; nothing to report to.
    }
    free_pending_runs();
}

inline const void* get_plugin_interface(csh_plugin_instance* instance, const char* interface_id) noexcept {
    Plugin& plugin = Plugin::from(instance);
    if (interface_id == nullptr) return nullptr;
    try {
        return plugin.get_interface(interface_id);
    } catch (...) {
        plugin.host().log_current_exception("plugin.get_interface");
        return nullptr;
    }
}

}  // namespace detail
}  // namespace csh::sdk

// The list of what a plugin provides, e.g. CSH_PROVIDES("audit/file", "audit/s3").
#define CSH_PROVIDES(...) __VA_ARGS__

// Declares the plugin; use once per shared object, at namespace scope.
// DESCRIPTION may be nullptr. MESSAGES is the csh_message_code array built
// from messages.def (see messages.hpp).
#define CSH_DECLARE_PLUGIN(CLASS, ID, NAME, VERSION, DESCRIPTION, PROVIDES, MESSAGES)                          \
    namespace csh_sdk_plugin_declaration {                                                                     \
    inline constexpr const char* const provides[] = {PROVIDES};                                                \
    inline csh_status init(const csh_host* host, csh_plugin_instance** out_instance) {                         \
        return ::csh::sdk::detail::init_plugin<CLASS>(host, out_instance, MESSAGES, std::size(MESSAGES));      \
    }                                                                                                          \
    inline constexpr csh_plugin_descriptor descriptor = {                                                      \
        CSH_PLUGIN_MAGIC,                                                                                      \
        static_cast<uint32_t>(sizeof(csh_plugin_descriptor)),                                                  \
        static_cast<uint16_t>(CSH_ABI_MAJOR),                                                                  \
        static_cast<uint16_t>(CSH_ABI_MINOR),                                                                  \
        static_cast<uint16_t>(0),                                                                              \
        static_cast<uint16_t>(0),                                                                              \
        ID,                                                                                                    \
        NAME,                                                                                                  \
        VERSION,                                                                                               \
        DESCRIPTION,                                                                                           \
        provides,                                                                                              \
        std::size(provides),                                                                                   \
        MESSAGES,                                                                                              \
        std::size(MESSAGES),                                                                                   \
        &init,                                                                                                 \
        &::csh::sdk::detail::deinit_plugin,                                                                    \
        &::csh::sdk::detail::get_plugin_interface,                                                             \
    };                                                                                                         \
    }                                                                                                          \
    extern "C" __attribute__((visibility("default"))) const csh_plugin_descriptor* containerssh_plugin_entry(void) { \
        return &csh_sdk_plugin_declaration::descriptor;                                                       \
    }
