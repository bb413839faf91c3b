#include "metrics_settings.hpp"

#include "messages.hpp"

#include <containerssh/sdk/json_config.hpp>

namespace metrics_plugin {

MetricsSettings parse_metrics_settings(std::string_view metrics_json) {
    MetricsSettings settings;
    csh::sdk::JsonConfig config(metrics_json, codes::METRICS_CONFIG_INVALID, "metrics");
    const csh::sdk::ConfigNode root = config.root();
    if (!root.is_null()) {
        settings.path = root.string("path", settings.path);
        if (settings.path.empty() || settings.path.front() != '/') {
            root.get("path")->fail("must start with \"/\", such as /metrics");
        }
    }
    try {
        settings.server = csh::http::ServerSettings::from_json(metrics_json, "metrics", "0.0.0.0:9100");
    } catch (const csh::http::SettingsError& e) {
        throw csh::sdk::Error(codes::METRICS_CONFIG_INVALID, e.what(), {{"key", e.key_path()}});
    }
    return settings;
}

}  // namespace metrics_plugin
