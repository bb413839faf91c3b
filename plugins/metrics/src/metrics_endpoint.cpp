#include "metrics_endpoint.hpp"

#include "exposition.hpp"
#include "openmetrics_serializer.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace metrics_plugin {
namespace {

std::string_view trimmed(std::string_view text) {
    const size_t first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    const size_t last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

struct MediaRange {
    std::string type;     // lower case, "application/openmetrics-text"
    std::string version;  // the version parameter, "" when absent
    double q = 1.0;
};

// One element of an Accept header: "type/sub;param=value;q=0.5".
MediaRange parse_range(std::string_view text) {
    MediaRange range;
    size_t end = text.find(';');
    range.type = lower(trimmed(text.substr(0, end)));
    while (end != std::string_view::npos) {
        const size_t start = end + 1;
        end = text.find(';', start);
        const size_t length = end == std::string_view::npos ? end : end - start;
        const std::string_view parameter = trimmed(text.substr(start, length));
        const size_t equals = parameter.find('=');
        if (equals == std::string_view::npos) continue;
        const std::string name = lower(trimmed(parameter.substr(0, equals)));
        const std::string value(trimmed(parameter.substr(equals + 1)));
        if (name == "q") range.q = std::strtod(value.c_str(), nullptr);
        if (name == "version") range.version = value;
    }
    return range;
}

}  // namespace

bool wants_openmetrics(std::string_view accept) {
    double openmetrics = 0, text = 0;
    size_t start = 0;
    while (start <= accept.size()) {
        const size_t end = std::min(accept.find(',', start), accept.size());
        const MediaRange range = parse_range(accept.substr(start, end - start));
        if (range.type == "application/openmetrics-text" && (range.version.empty() || range.version == "1.0.0")) {
            openmetrics = std::max(openmetrics, range.q);
        } else if (range.type == "text/plain") {
            text = std::max(text, range.q);
        }
        start = end + 1;
    }
    return openmetrics > 0 && openmetrics >= text;
}

csh::http::Response answer_metrics_request(const csh::http::Request& request, const std::string& path,
                                           const Snapshot& snapshot) {
    if (request.path != path) return {404, "text/plain; charset=utf-8", "404 page not found\n", {}};
    if (request.method != "GET" && request.method != "HEAD") {
        return {405, "text/plain; charset=utf-8", "405 method not allowed: use GET or HEAD\n",
                {{"Allow", "GET, HEAD"}}};
    }
    const Exposition exposition = to_exposition(snapshot());
    if (wants_openmetrics(request.header("Accept"))) return {200, kOpenMetricsType, openmetrics_text(exposition), {}};
    return {200, kPrometheusTextType, prometheus_text(exposition), {}};
}

}  // namespace metrics_plugin
