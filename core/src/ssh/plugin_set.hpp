// The plugins the configuration selected, bound to their interface tables.
#pragma once

#include <containerssh/plugin.h>

#include <string>
#include <vector>

namespace csh::ssh {

template <typename Interface>
struct Bound {
    const Interface* api = nullptr;
    csh_plugin_instance* instance = nullptr;
    std::string id;
};

struct PluginSet {
    std::vector<Bound<csh_auth_interface>> auth;
    std::vector<Bound<csh_config_interface>> config;  // zero or one
    Bound<csh_backend_interface> backend;
    std::vector<Bound<csh_audit_interface>> audit;

    // The first auth plugin serving a method (CSH_AUTH_METHOD_*), or nullptr.
    const Bound<csh_auth_interface>* auth_for(uint32_t method) const {
        for (const auto& a : auth) {
            if ((a.api->methods & method) != 0) return &a;
        }
        return nullptr;
    }
};

}  // namespace csh::ssh
