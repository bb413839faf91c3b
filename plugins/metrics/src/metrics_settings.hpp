// The `metrics` section (reference §2.12): the path to serve and
// ContainerSSH's HTTP server block with listen 0.0.0.0:9100. The core has
// already checked the types and unknown keys; this checks the values.
#pragma once

#include <csh/http/http_server.hpp>

#include <string>
#include <string_view>

namespace metrics_plugin {

struct MetricsSettings {
    std::string path = "/metrics";
    csh::http::ServerSettings server;
};

// [control] Throws csh::sdk::Error with METRICS_CONFIG_INVALID naming the
// key path ("metrics.path", "metrics.tlsVersion", ...). Reads certificate
// files.
MetricsSettings parse_metrics_settings(std::string_view metrics_json);

}  // namespace metrics_plugin
