#include "exposition.hpp"

#include <prometheus/text_serializer.h>

#include <limits>
#include <sstream>

namespace metrics_plugin {
namespace {

prometheus::MetricType type_of(csh_metric_type type) {
    switch (type) {
        case CSH_METRIC_COUNTER: return prometheus::MetricType::Counter;
        case CSH_METRIC_GAUGE: return prometheus::MetricType::Gauge;
        case CSH_METRIC_HISTOGRAM: return prometheus::MetricType::Histogram;
        default: return prometheus::MetricType::Untyped;  // a kind a newer host may add
    }
}

prometheus::ClientMetric metric_of(prometheus::MetricType type, const csh::sdk::MetricSeries& series) {
    prometheus::ClientMetric metric;
    for (const auto& [name, value] : series.labels) metric.label.push_back({name, value});
    switch (type) {
        case prometheus::MetricType::Counter: metric.counter.value = series.value; break;
        case prometheus::MetricType::Gauge: metric.gauge.value = series.value; break;
        case prometheus::MetricType::Histogram:
            metric.histogram.sample_count = series.count;
            metric.histogram.sample_sum = series.sum;
            for (size_t i = 0; i < series.bounds.size() && i < series.bucket_counts.size(); ++i) {
                metric.histogram.bucket.push_back({series.bucket_counts[i], series.bounds[i]});
            }
            metric.histogram.bucket.push_back({series.count, std::numeric_limits<double>::infinity()});
            break;
        default: metric.untyped.value = series.value; break;
    }
    return metric;
}

// The Prometheus text format escapes only backslash and line feed in HELP.
std::string escaped_help(const std::string& help) {
    std::string out;
    for (char c : help) {
        if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

}  // namespace

Exposition to_exposition(const std::vector<csh::sdk::MetricFamilySnapshot>& snapshot) {
    Exposition exposition;
    for (const auto& source : snapshot) {
        prometheus::MetricFamily family;
        family.name = source.name;
        family.help = source.help;
        family.type = type_of(source.type);
        for (const auto& series : source.series) family.metric.push_back(metric_of(family.type, series));
        exposition.families.push_back(std::move(family));
        exposition.units.push_back(source.unit);
    }
    return exposition;
}

std::string prometheus_text(const Exposition& exposition) {
    // prometheus-cpp 1.0 writes HELP text as it is, so a line feed or a
    // backslash in it would break the format: it serialises a copy with the
    // text format's escapes applied.
    std::vector<prometheus::MetricFamily> escaped = exposition.families;
    for (auto& family : escaped) family.help = escaped_help(family.help);
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, escaped);
    return out.str();
}

}  // namespace metrics_plugin
