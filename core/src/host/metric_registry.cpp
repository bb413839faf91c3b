#include "host/metric_registry.hpp"

#include "host/host_entry.hpp"
#include "host/plugin_host.hpp"

#include <algorithm>
#include <cmath>

namespace csh::host {

csh_metric* MetricRegistry::define_family(csh_metric_type type, std::string name, std::string help,
                                          std::string unit, std::vector<std::string> label_names,
                                          std::vector<double> bounds) {
    std::lock_guard lock(mutex_);
    for (auto& family : families_) {
        if (family->name == name) {
            const bool same = family->type == type && family->label_names == label_names && family->bounds == bounds;
            return same ? family.get() : nullptr;
        }
    }
    auto family = std::make_unique<csh_metric>();
    family->type = type;
    family->name = std::move(name);
    family->help = std::move(help);
    family->unit = std::move(unit);
    family->label_names = std::move(label_names);
    family->bounds = std::move(bounds);
    families_.push_back(std::move(family));
    return families_.back().get();
}

csh_metric* MetricRegistry::define(csh_metric_type type, std::string name, std::string help, std::string unit,
                                   std::vector<std::string> label_names) {
    if (type != CSH_METRIC_COUNTER && type != CSH_METRIC_GAUGE) return nullptr;
    return define_family(type, std::move(name), std::move(help), std::move(unit), std::move(label_names), {});
}

csh_metric* MetricRegistry::define_histogram(std::string name, std::string help, std::string unit,
                                             std::vector<std::string> label_names, std::vector<double> bounds) {
    const bool finite = std::all_of(bounds.begin(), bounds.end(), [](double b) { return std::isfinite(b); });
    const bool ascending = std::adjacent_find(bounds.begin(), bounds.end(), std::greater_equal<>()) == bounds.end();
    if (!finite || !ascending) return nullptr;
    return define_family(CSH_METRIC_HISTOGRAM, std::move(name), std::move(help), std::move(unit),
                         std::move(label_names), std::move(bounds));
}

namespace {
// Missing values are empty; extra ones are ignored.
std::vector<std::string> label_key(const csh_metric* metric, const csh_str* values, size_t count) {
    std::vector<std::string> key(metric->label_names.size());
    for (size_t i = 0; i < count && i < key.size(); ++i) key[i].assign(values[i].data, values[i].size);
    return key;
}

std::vector<csh_str> views_of(std::initializer_list<std::string_view> values) {
    std::vector<csh_str> views;
    for (auto v : values) views.push_back({v.data(), v.size()});
    return views;
}

void fill_labels(const csh_metric& family, const std::vector<std::string>& values, std::vector<csh_field>& labels) {
    labels.clear();
    for (size_t i = 0; i < values.size(); ++i) {
        const auto& name = family.label_names[i];
        labels.push_back({{name.data(), name.size()}, {values[i].data(), values[i].size()}});
    }
}
}  // namespace

void MetricRegistry::add(csh_metric* metric, const csh_str* values, size_t count, double delta) {
    if (metric == nullptr || metric->type == CSH_METRIC_HISTOGRAM) return;
    auto key = label_key(metric, values, count);
    std::lock_guard lock(mutex_);
    metric->series[std::move(key)] += delta;
}

void MetricRegistry::set(csh_metric* metric, const csh_str* values, size_t count, double value) {
    if (metric == nullptr || metric->type == CSH_METRIC_HISTOGRAM) return;
    auto key = label_key(metric, values, count);
    std::lock_guard lock(mutex_);
    metric->series[std::move(key)] = value;
}

void MetricRegistry::observe(csh_metric* metric, const csh_str* values, size_t count, double value) {
    if (metric == nullptr || metric->type != CSH_METRIC_HISTOGRAM || std::isnan(value)) return;
    auto key = label_key(metric, values, count);
    // The first bucket whose upper bound holds the value; bounds.size() is +Inf.
    const auto bucket = static_cast<size_t>(
        std::lower_bound(metric->bounds.begin(), metric->bounds.end(), value) - metric->bounds.begin());
    std::lock_guard lock(mutex_);
    auto& series = metric->histograms[std::move(key)];
    if (series.buckets.empty()) series.buckets.resize(metric->bounds.size() + 1);
    ++series.buckets[bucket];
    series.sum += value;
    ++series.count;
}

void MetricRegistry::add(csh_metric* metric, std::initializer_list<std::string_view> values, double delta) {
    const auto views = views_of(values);
    add(metric, views.data(), views.size(), delta);
}

void MetricRegistry::observe(csh_metric* metric, std::initializer_list<std::string_view> values, double value) {
    const auto views = views_of(values);
    observe(metric, views.data(), views.size(), value);
}

void MetricRegistry::collect(csh_metric_visit_fn visit, void* user) const {
    std::lock_guard lock(mutex_);
    std::vector<csh_field> labels;
    for (const auto& family : families_) {
        for (const auto& [values, value] : family->series) {
            fill_labels(*family, values, labels);
            csh_metric_sample sample{family->name.c_str(), family->help.c_str(), family->unit.c_str(),
                                     family->type,         0,
                                     labels.data(),        labels.size(),
                                     value};
            visit(user, &sample);
        }
    }
}

void MetricRegistry::collect_histograms(csh_histogram_visit_fn visit, void* user) const {
    std::lock_guard lock(mutex_);
    std::vector<csh_field> labels;
    std::vector<uint64_t> cumulative;
    for (const auto& family : families_) {
        for (const auto& [values, series] : family->histograms) {
            fill_labels(*family, values, labels);
            cumulative.assign(family->bounds.size(), 0);
            uint64_t running = 0;
            for (size_t i = 0; i < family->bounds.size(); ++i) cumulative[i] = running += series.buckets[i];
            csh_histogram_sample sample{};
            sample.struct_size = sizeof sample;
            sample.name = family->name.c_str();
            sample.help = family->help.c_str();
            sample.unit = family->unit.c_str();
            sample.labels = labels.data();
            sample.label_count = labels.size();
            sample.bounds = family->bounds.data();
            sample.bucket_counts = cumulative.data();
            sample.bound_count = family->bounds.size();
            sample.sum = series.sum;
            sample.count = series.count;
            visit(user, &sample);
        }
    }
}

namespace {
MetricRegistry& registry_of(const csh_host* host) { return PluginHost::from(host).metrics(); }
log::Logger* logger_of(const csh_host* host) { return &PluginHost::from(host).logger(); }

std::vector<std::string> names_of(const char* const* label_names, size_t label_count) {
    std::vector<std::string> labels;
    for (size_t i = 0; i < label_count; ++i) labels.emplace_back(label_names[i] ? label_names[i] : "");
    return labels;
}

csh_metric* svc_define(const csh_host* host, csh_metric_type type, const char* name, const char* help,
                       const char* unit, const char* const* label_names, size_t label_count) {
    if (name == nullptr) return nullptr;
    return guarded(logger_of(host), "metrics.define", static_cast<csh_metric*>(nullptr), [&] {
        return registry_of(host).define(type, name, help ? help : "", unit ? unit : "",
                                        names_of(label_names, label_count));
    });
}
void svc_add(const csh_host* host, csh_metric* metric, const csh_str* values, size_t count, double delta) {
    guarded(logger_of(host), "metrics.add", [&] { registry_of(host).add(metric, values, count, delta); });
}
void svc_set(const csh_host* host, csh_metric* metric, const csh_str* values, size_t count, double value) {
    guarded(logger_of(host), "metrics.set", [&] { registry_of(host).set(metric, values, count, value); });
}
void svc_collect(const csh_host* host, csh_metric_visit_fn visit, void* user) {
    guarded(logger_of(host), "metrics.collect", [&] { registry_of(host).collect(visit, user); });
}
csh_metric* svc_define_histogram(const csh_host* host, const char* name, const char* help, const char* unit,
                                 const char* const* label_names, size_t label_count, const double* bounds,
                                 size_t bound_count) {
    if (name == nullptr || (bounds == nullptr && bound_count > 0)) return nullptr;
    return guarded(logger_of(host), "metrics.define_histogram", static_cast<csh_metric*>(nullptr), [&] {
        return registry_of(host).define_histogram(name, help ? help : "", unit ? unit : "",
                                                  names_of(label_names, label_count),
                                                  std::vector<double>(bounds, bounds + bound_count));
    });
}
void svc_observe(const csh_host* host, csh_metric* metric, const csh_str* values, size_t count, double value) {
    guarded(logger_of(host), "metrics.observe", [&] { registry_of(host).observe(metric, values, count, value); });
}
void svc_collect_histograms(const csh_host* host, csh_histogram_visit_fn visit, void* user) {
    guarded(logger_of(host), "metrics.collect_histograms",
            [&] { registry_of(host).collect_histograms(visit, user); });
}
const csh_metrics_service kService = {sizeof(csh_metrics_service), svc_define,           svc_add,
                                      svc_set,                     svc_collect,          svc_define_histogram,
                                      svc_observe,                 svc_collect_histograms};
}  // namespace

const csh_metrics_service* MetricRegistry::service() { return &kService; }

}  // namespace csh::host
