// The host's metric registry (csh_metrics_service): plugins and the core
// define counters, gauges and histograms; exporter plugins read them through
// collect() and collect_histograms().
#pragma once

#include <containerssh/plugin/host.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

// One histogram series: per-bucket (not cumulative) counts, the last one
// for +Inf.
struct csh_histogram_series {
    std::vector<uint64_t> buckets;
    double sum = 0;
    uint64_t count = 0;
};

// A metric family, as the ABI's opaque handle.
struct csh_metric {
    csh_metric_type type;
    std::string name;
    std::string help;
    std::string unit;
    std::vector<std::string> label_names;
    std::vector<double> bounds;  // histograms only
    // label values -> value (counters, gauges) or series (histograms);
    // guarded by the registry mutex.
    std::map<std::vector<std::string>, double> series;
    std::map<std::vector<std::string>, csh_histogram_series> histograms;
};

namespace csh::host {

class MetricRegistry {
public:
    // Returns the existing family when name, type and labels match, nullptr on a conflict.
    csh_metric* define(csh_metric_type type, std::string name, std::string help, std::string unit,
                       std::vector<std::string> label_names);
    // Same for a histogram; bounds must be finite and strictly ascending.
    csh_metric* define_histogram(std::string name, std::string help, std::string unit,
                                 std::vector<std::string> label_names, std::vector<double> bounds);
    void add(csh_metric* metric, const csh_str* values, size_t count, double delta);
    void set(csh_metric* metric, const csh_str* values, size_t count, double value);
    void observe(csh_metric* metric, const csh_str* values, size_t count, double value);
    void collect(csh_metric_visit_fn visit, void* user) const;
    void collect_histograms(csh_histogram_visit_fn visit, void* user) const;

    // Conveniences for the core's own metrics.
    void add(csh_metric* metric, std::initializer_list<std::string_view> values, double delta);
    void observe(csh_metric* metric, std::initializer_list<std::string_view> values, double value);

    static const csh_metrics_service* service();

private:
    csh_metric* define_family(csh_metric_type type, std::string name, std::string help, std::string unit,
                              std::vector<std::string> label_names, std::vector<double> bounds);

    mutable std::mutex mutex_;
    std::vector<std::unique_ptr<csh_metric>> families_;
};

}  // namespace csh::host
