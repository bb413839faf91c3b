// The host's metric registry (csh_metrics_service): plugins and the core
// define counters and gauges; exporter plugins read them through collect().
#pragma once

#include <containerssh/plugin/host.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

// A metric family, as the ABI's opaque handle.
struct csh_metric {
    csh_metric_type type;
    std::string name;
    std::string help;
    std::string unit;
    std::vector<std::string> label_names;
    // label values (joined) -> value; guarded by the registry mutex.
    std::map<std::vector<std::string>, double> series;
};

namespace csh::host {

class MetricRegistry {
public:
    // Returns the existing family when name, type and labels match, nullptr on a conflict.
    csh_metric* define(csh_metric_type type, std::string name, std::string help, std::string unit,
                       std::vector<std::string> label_names);
    void add(csh_metric* metric, const csh_str* values, size_t count, double delta);
    void set(csh_metric* metric, const csh_str* values, size_t count, double value);
    void collect(csh_metric_visit_fn visit, void* user) const;

    // Convenience for the core's own metrics.
    void add(csh_metric* metric, std::initializer_list<std::string_view> values, double delta);

    static const csh_metrics_service* service();

private:
    mutable std::mutex mutex_;
    std::vector<std::unique_ptr<csh_metric>> families_;
};

}  // namespace csh::host
