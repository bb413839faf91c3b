// The host's registry as prometheus-cpp's MetricFamily list, which both
// serialisers read: prometheus-cpp's TextSerializer for the Prometheus text
// format and ours for OpenMetrics (openmetrics_serializer.hpp).
#pragma once

#include <containerssh/sdk/metrics_snapshot.hpp>

#include <prometheus/metric_family.h>

#include <string>
#include <vector>

namespace metrics_plugin {

struct Exposition {
    std::vector<prometheus::MetricFamily> families;
    // The unit of each family (same index): MetricFamily has no field for
    // it, and only OpenMetrics writes it.
    std::vector<std::string> units;
};

// Counters and gauges keep their names (ContainerSSH's counters end in
// _total); histograms get their cumulative buckets with +Inf last.
Exposition to_exposition(const std::vector<csh::sdk::MetricFamilySnapshot>& snapshot);

// The Prometheus text format 0.0.4, written by prometheus-cpp.
std::string prometheus_text(const Exposition& exposition);

}  // namespace metrics_plugin
