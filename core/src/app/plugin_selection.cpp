#include "app/plugin_selection.hpp"

#include "config/config.hpp"
#include "log/codes.hpp"

#include <algorithm>

namespace csh::app {
namespace {

template <typename Interface>
ssh::Bound<Interface> bind(plugins::Plugin& plugin, const char* interface_id) {
    plugins::Refusal refusal;
    const void* table = plugin.interface(interface_id, &refusal);
    if (table == nullptr) throw SelectionError(refusal.code, refusal.message);
    return {static_cast<const Interface*>(table), plugin.instance(), std::string(plugin.id())};
}

template <typename Interface>
bool contains(const std::vector<ssh::Bound<Interface>>& list, std::string_view id) {
    return std::any_of(list.begin(), list.end(), [&](const auto& b) { return b.id == id; });
}

}  // namespace

Selection select_plugins(const config::Config& config, plugins::Registry& registry,
                         const std::function<const csh_host*(plugins::Plugin&)>& host_for) {
    Selection selection;
    for (const auto& need : config.required_providers()) {
        plugins::Plugin* plugin = registry.find_provider(need.provides);
        if (plugin == nullptr) {
            throw SelectionError(codes::CORE_PLUGIN_NOT_FOUND,
                                 need.key_path + " selects " + need.provides +
                                     ", but no plugin in the plugin directories provides it");
        }
        if (auto refusal = registry.init(*plugin, host_for(*plugin))) {
            throw SelectionError(refusal->code, refusal->message);
        }
        const std::string_view kind = std::string_view(need.provides).substr(0, need.provides.find('/'));
        const std::string_view id = plugin->id();
        if (kind == "backend") {
            selection.roles.backend = bind<csh_backend_interface>(*plugin, CSH_BACKEND_INTERFACE_ID);
        } else if (kind == "auth") {
            if (!contains(selection.roles.auth, id)) {
                selection.roles.auth.push_back(bind<csh_auth_interface>(*plugin, CSH_AUTH_INTERFACE_ID));
            }
        } else if (kind == "config") {
            if (!contains(selection.roles.config, id)) {
                selection.roles.config.push_back(bind<csh_config_interface>(*plugin, CSH_CONFIG_INTERFACE_ID));
            }
        } else if (kind == "audit") {
            if (!contains(selection.roles.audit, id)) {
                selection.roles.audit.push_back(bind<csh_audit_interface>(*plugin, CSH_AUDIT_INTERFACE_ID));
            }
        } else if (kind == "metrics") {
            if (!contains(selection.metrics, id)) {
                selection.metrics.push_back(bind<csh_metrics_interface>(*plugin, CSH_METRICS_INTERFACE_ID));
            }
        } else {
            throw SelectionError(codes::CORE_PLUGIN_INTERFACE_MISSING,
                                 need.key_path + " selects " + need.provides + ", an unknown kind of plugin");
        }
    }
    if (selection.roles.backend.api == nullptr) {
        throw SelectionError(codes::CORE_PLUGIN_NOT_FOUND, "backend: no backend plugin is selected");
    }
    return selection;
}

}  // namespace csh::app
