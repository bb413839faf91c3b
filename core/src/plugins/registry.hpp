// Finds, checks and owns the plugins of the plugin directories.
#pragma once

#include <containerssh/plugin.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "log/code_registry.hpp"
#include "plugins/plugin.hpp"
#include "plugins/refusal.hpp"

namespace csh::plugins {

class Registry {
public:
    /// Plugins' message codes are added to `codes` (module = the plugin id).
    explicit Registry(log::CodeRegistry& codes);
    Registry(const Registry&) = delete;
    Registry& operator=(const Registry&) = delete;
    /// Deinitialises the initialised plugins in reverse order of loading, then
    /// unloads all of them, also in reverse order.
    ~Registry();

    /// Loads every regular file ending in ".so" in each directory (not
    /// recursive; by file name within a directory; directories in the given
    /// order; a missing directory is skipped). Refused files are returned and
    /// unloaded, never kept.
    std::vector<Refusal> discover(const std::vector<std::filesystem::path>& dirs);
    /// Loads one file, checks it and registers its message codes.
    std::optional<Refusal> add_file(const std::filesystem::path& file);

    /// Loaded plugins in discovery order.
    const std::vector<std::unique_ptr<Plugin>>& plugins() const { return plugins_; }
    /// The first plugin, in discovery order, that provides `provides`, or nullptr.
    Plugin* find_provider(std::string_view provides) const;

    /// Calls the plugin's init with `host`; CORE_PLUGIN_INIT_FAILED when it
    /// does not return CSH_OK. Does nothing for an initialised plugin.
    std::optional<Refusal> init(Plugin& plugin, const csh_host* host);
    /// Deinitialises every initialised plugin, last loaded first. Plugins stay loaded.
    void deinit_all();

private:
    std::optional<Refusal> check_against_loaded(const std::filesystem::path& file,
                                                const csh_plugin_descriptor& descriptor);

    log::CodeRegistry& codes_;
    std::vector<std::unique_ptr<Plugin>> plugins_;
};

}  // namespace csh::plugins
