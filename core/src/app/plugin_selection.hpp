// Plugin selection (architecture §6): what the configuration file names
// (backend: docker, auth.password.method: webhook, ...) decides which of the
// discovered plugins are initialised and in which role.
#pragma once

#include "plugins/registry.hpp"
#include "ssh/plugin_set.hpp"

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace csh::config { class Config; }

namespace csh::app {

// A selection that cannot be satisfied; `code` is the message code to log.
class SelectionError : public std::runtime_error {
public:
    SelectionError(std::string code, const std::string& message)
        : std::runtime_error(message), code_(std::move(code)) {}
    const std::string& code() const { return code_; }

private:
    std::string code_;
};

struct Selection {
    ssh::PluginSet roles;
    std::vector<ssh::Bound<csh_metrics_interface>> metrics;
};

// Initialises each required plugin once (with the host `host_for` gives it)
// and binds its interfaces. Throws SelectionError.
Selection select_plugins(const config::Config& config, plugins::Registry& registry,
                         const std::function<const csh_host*(plugins::Plugin&)>& host_for);

}  // namespace csh::app
