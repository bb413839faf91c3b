#include "host/metric_registry.hpp"

#include "host/plugin_host.hpp"

namespace csh::host {

csh_metric* MetricRegistry::define(csh_metric_type type, std::string name, std::string help,
                                   std::string unit, std::vector<std::string> label_names) {
    std::lock_guard lock(mutex_);
    for (auto& family : families_) {
        if (family->name == name) {
            const bool same = family->type == type && family->label_names == label_names;
            return same ? family.get() : nullptr;
        }
    }
    auto family = std::make_unique<csh_metric>();
    family->type = type;
    family->name = std::move(name);
    family->help = std::move(help);
    family->unit = std::move(unit);
    family->label_names = std::move(label_names);
    families_.push_back(std::move(family));
    return families_.back().get();
}

namespace {
std::vector<std::string> label_key(const csh_metric* metric, const csh_str* values, size_t count) {
    std::vector<std::string> key(metric->label_names.size());
    for (size_t i = 0; i < count && i < key.size(); ++i) key[i].assign(values[i].data, values[i].size);
    return key;
}
}  // namespace

void MetricRegistry::add(csh_metric* metric, const csh_str* values, size_t count, double delta) {
    if (metric == nullptr) return;
    auto key = label_key(metric, values, count);
    std::lock_guard lock(mutex_);
    metric->series[std::move(key)] += delta;
}

void MetricRegistry::add(csh_metric* metric, std::initializer_list<std::string_view> values, double delta) {
    std::vector<csh_str> views;
    for (auto v : values) views.push_back({v.data(), v.size()});
    add(metric, views.data(), views.size(), delta);
}

void MetricRegistry::set(csh_metric* metric, const csh_str* values, size_t count, double value) {
    if (metric == nullptr) return;
    auto key = label_key(metric, values, count);
    std::lock_guard lock(mutex_);
    metric->series[std::move(key)] = value;
}

void MetricRegistry::collect(csh_metric_visit_fn visit, void* user) const {
    std::lock_guard lock(mutex_);
    std::vector<csh_field> labels;
    for (const auto& family : families_) {
        for (const auto& [values, value] : family->series) {
            labels.clear();
            for (size_t i = 0; i < values.size(); ++i) {
                const auto& name = family->label_names[i];
                labels.push_back({{name.data(), name.size()}, {values[i].data(), values[i].size()}});
            }
            csh_metric_sample sample{family->name.c_str(), family->help.c_str(), family->unit.c_str(),
                                     family->type,         0,
                                     labels.data(),        labels.size(),
                                     value};
            visit(user, &sample);
        }
    }
}

namespace {
MetricRegistry& registry_of(const csh_host* host) { return PluginHost::from(host).metrics(); }

csh_metric* svc_define(const csh_host* host, csh_metric_type type, const char* name, const char* help,
                       const char* unit, const char* const* label_names, size_t label_count) {
    if (name == nullptr) return nullptr;
    std::vector<std::string> labels;
    for (size_t i = 0; i < label_count; ++i) labels.emplace_back(label_names[i] ? label_names[i] : "");
    return registry_of(host).define(type, name, help ? help : "", unit ? unit : "", std::move(labels));
}
void svc_add(const csh_host* host, csh_metric* metric, const csh_str* values, size_t count, double delta) {
    registry_of(host).add(metric, values, count, delta);
}
void svc_set(const csh_host* host, csh_metric* metric, const csh_str* values, size_t count, double value) {
    registry_of(host).set(metric, values, count, value);
}
void svc_collect(const csh_host* host, csh_metric_visit_fn visit, void* user) {
    registry_of(host).collect(visit, user);
}
const csh_metrics_service kService = {sizeof(csh_metrics_service), svc_define, svc_add, svc_set, svc_collect};
}  // namespace

const csh_metrics_service* MetricRegistry::service() { return &kService; }

}  // namespace csh::host
