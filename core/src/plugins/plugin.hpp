// One loaded plugin: its shared object, its checked descriptor and, once
// initialised, its instance.
#pragma once

#include <containerssh/plugin.h>

#include <boost/dll/shared_library.hpp>

#include <filesystem>
#include <string_view>

#include "plugins/refusal.hpp"

namespace csh::plugins {

class Registry;

class Plugin {
public:
    Plugin(const Plugin&) = delete;
    Plugin& operator=(const Plugin&) = delete;
    /// Deinitialises the plugin if it still is, then unloads the shared object:
    /// code of a plugin never disappears while its instance lives.
    ~Plugin();

    const csh_plugin_descriptor& descriptor() const { return *descriptor_; }
    const std::filesystem::path& path() const { return path_; }
    std::string_view id() const { return descriptor_->id; }
    /// Whether the descriptor lists `what` (e.g. "backend/docker") in provides.
    bool provides(std::string_view what) const;
    bool initialised() const { return initialised_; }
    /// The instance init created (may be NULL for a stateless plugin).
    csh_plugin_instance* instance() const { return instance_; }

    /// Calls get_interface() of an initialised plugin and checks the table of
    /// a known interface kind (struct_size, required slots). Returns nullptr
    /// and fills `*error` (when not NULL) with CORE_PLUGIN_INTERFACE_MISSING
    /// when the plugin returns none or is not initialised, or with
    /// CORE_PLUGIN_SLOT_MISSING naming "<interface>.<slot>".
    const void* interface(const char* interface_id, Refusal* error) const;

private:
    friend class Registry;

    Plugin(boost::dll::shared_library library, const csh_plugin_descriptor& descriptor,
           std::filesystem::path path);

    /// Calls the plugin's deinit once if it is initialised.
    void deinit();

    // Declared first so that it is destroyed last: the descriptor points into it.
    boost::dll::shared_library library_;
    const csh_plugin_descriptor* descriptor_;
    std::filesystem::path path_;
    csh_plugin_instance* instance_ = nullptr;
    bool initialised_ = false;
};

}  // namespace csh::plugins
