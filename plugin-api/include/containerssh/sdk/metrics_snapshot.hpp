// A copy of the host's whole metric registry, taken at one moment, for
// exporter plugins: families with their series, histograms included. The
// copy owns its strings, so it can be serialised after the host's collect
// calls have returned (and without holding the host's registry lock).
#pragma once

#include <containerssh/sdk/host.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace csh::sdk {

struct MetricSeries {
    std::vector<std::pair<std::string, std::string>> labels;  // name, value; in definition order
    double value = 0;                                         // counters and gauges
    // Histograms: upper bounds and cumulative counts (same length; +Inf is `count`).
    std::vector<double> bounds;
    std::vector<uint64_t> bucket_counts;
    double sum = 0;
    uint64_t count = 0;
};

struct MetricFamilySnapshot {
    std::string name;
    std::string help;
    std::string unit;
    csh_metric_type type = CSH_METRIC_COUNTER;
    std::vector<MetricSeries> series;
};

// [any-thread] Copies every family that has at least one series: counters
// and gauges in definition order, then histograms in definition order.
inline std::vector<MetricFamilySnapshot> snapshot_metrics(const Host& host) {
    std::vector<MetricFamilySnapshot> families;
    const csh_metrics_service* service = host.metrics_service();
    if (service == nullptr) return families;

    // Series of one family arrive one after another; a new name starts a new family.
    auto family_for = [&families](const char* name, const char* help, const char* unit,
                                  csh_metric_type type) -> MetricFamilySnapshot& {
        if (families.empty() || families.back().name != name) {
            families.push_back(MetricFamilySnapshot{name, help ? help : "", unit ? unit : "", type, {}});
        }
        return families.back();
    };
    auto labels_of = [](const csh_field* labels, size_t count) {
        std::vector<std::pair<std::string, std::string>> out;
        for (size_t i = 0; i < count; ++i) out.emplace_back(std::string(view(labels[i].key)), std::string(view(labels[i].value)));
        return out;
    };
    struct Context {
        decltype(family_for)& family;
        decltype(labels_of)& labels;
    } context{family_for, labels_of};

    service->collect(
        host.raw(),
        [](void* user, const csh_metric_sample* sample) {
            auto& c = *static_cast<Context*>(user);
            MetricSeries series;
            series.labels = c.labels(sample->labels, sample->label_count);
            series.value = sample->value;
            c.family(sample->name, sample->help, sample->unit, sample->type).series.push_back(std::move(series));
        },
        &context);
    if (!host.has_histograms()) return families;
    service->collect_histograms(
        host.raw(),
        [](void* user, const csh_histogram_sample* sample) {
            auto& c = *static_cast<Context*>(user);
            MetricSeries series;
            series.labels = c.labels(sample->labels, sample->label_count);
            series.bounds.assign(sample->bounds, sample->bounds + sample->bound_count);
            series.bucket_counts.assign(sample->bucket_counts, sample->bucket_counts + sample->bound_count);
            series.sum = sample->sum;
            series.count = sample->count;
            c.family(sample->name, sample->help, sample->unit, CSH_METRIC_HISTOGRAM).series.push_back(std::move(series));
        },
        &context);
    return families;
}

}  // namespace csh::sdk
