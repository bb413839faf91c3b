// What the metrics server answers: the registry at `path` (GET and HEAD) in
// the format the scraper's Accept header asks for, 404 elsewhere, 405 for
// other methods.
#pragma once

#include <containerssh/sdk/metrics_snapshot.hpp>
#include <csh/http/http_server.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace metrics_plugin {

inline constexpr char kPrometheusTextType[] = "text/plain; version=0.0.4; charset=utf-8";
inline constexpr char kOpenMetricsType[] = "application/openmetrics-text; version=1.0.0; charset=utf-8";

// True when the Accept header prefers OpenMetrics 1.0.0 to the text format:
// an application/openmetrics-text range without a version or with
// version=1.0.0, with q > 0 and at least the q of text/plain. A scraper that
// only reads another version (0.0.1) gets the text format.
bool wants_openmetrics(std::string_view accept);

using Snapshot = std::function<std::vector<csh::sdk::MetricFamilySnapshot>()>;

// [any-thread] May throw (out of memory); the caller answers 500 then.
csh::http::Response answer_metrics_request(const csh::http::Request& request, const std::string& path,
                                           const Snapshot& snapshot);

}  // namespace metrics_plugin
