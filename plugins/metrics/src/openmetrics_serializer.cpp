#include "openmetrics_serializer.hpp"

#include <charconv>
#include <cmath>
#include <string_view>

namespace metrics_plugin {
namespace {

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Backslash, double quote and line feed are the three characters escaped in
// label values and in HELP text.
void append_escaped(std::string& out, std::string_view text) {
    for (char c : text) {
        switch (c) {
            case '\\': out += "\\\\"; break;
            case '"': out += "\\\""; break;
            case '\n': out += "\\n"; break;
            default: out += c;
        }
    }
}

// The shortest text that reads back as the same double; whole numbers keep
// a ".0" (so a bucket bound 1 is le="1.0", as OpenMetrics' canonical form
// and Go's client write it).
std::string float_text(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    std::string text(buffer, result.ptr);
    if (text.find_first_of(".e") == std::string::npos) text += ".0";
    return text;
}

using Label = prometheus::ClientMetric::Label;

// name{a="x",b="y"[,le="..."]} value
void append_sample(std::string& out, std::string_view name, const std::vector<Label>& labels, const Label* extra,
                   const std::string& value) {
    out += name;
    if (!labels.empty() || extra != nullptr) {
        out += '{';
        bool first = true;
        auto label = [&](const Label& l) {
            if (!first) out += ',';
            first = false;
            out += l.name;
            out += "=\"";
            append_escaped(out, l.value);
            out += '"';
        };
        for (const auto& l : labels) label(l);
        if (extra != nullptr) label(*extra);
        out += '}';
    }
    out += ' ';
    out += value;
    out += '\n';
}

const char* type_name(prometheus::MetricType type) {
    switch (type) {
        case prometheus::MetricType::Counter: return "counter";
        case prometheus::MetricType::Gauge: return "gauge";
        case prometheus::MetricType::Histogram: return "histogram";
        default: return "unknown";
    }
}

void append_family(std::string& out, const prometheus::MetricFamily& family, const std::string& unit) {
    // OpenMetrics names a counter family without _total and its samples with it.
    std::string name = family.name;
    if (family.type == prometheus::MetricType::Counter && ends_with(name, "_total")) {
        name.resize(name.size() - std::string_view("_total").size());
    }
    if (!family.help.empty()) {
        out += "# HELP " + name + ' ';
        append_escaped(out, family.help);
        out += '\n';
    }
    out += "# TYPE " + name + ' ' + type_name(family.type) + '\n';
    // A unit that is not the name's suffix would make the whole exposition
    // invalid to a strict parser, so it is left out.
    if (!unit.empty() && ends_with(name, "_" + unit)) out += "# UNIT " + name + ' ' + unit + '\n';

    for (const auto& metric : family.metric) {
        switch (family.type) {
            case prometheus::MetricType::Counter:
                append_sample(out, name + "_total", metric.label, nullptr, float_text(metric.counter.value));
                break;
            case prometheus::MetricType::Gauge:
                append_sample(out, name, metric.label, nullptr, float_text(metric.gauge.value));
                break;
            case prometheus::MetricType::Histogram: {
                for (const auto& bucket : metric.histogram.bucket) {
                    const Label le{"le", float_text(bucket.upper_bound)};
                    append_sample(out, name + "_bucket", metric.label, &le, std::to_string(bucket.cumulative_count));
                }
                append_sample(out, name + "_sum", metric.label, nullptr, float_text(metric.histogram.sample_sum));
                append_sample(out, name + "_count", metric.label, nullptr,
                              std::to_string(metric.histogram.sample_count));
                break;
            }
            default: append_sample(out, name, metric.label, nullptr, float_text(metric.untyped.value)); break;
        }
    }
}

}  // namespace

std::string openmetrics_text(const Exposition& exposition) {
    std::string out;
    for (size_t i = 0; i < exposition.families.size(); ++i) {
        append_family(out, exposition.families[i], i < exposition.units.size() ? exposition.units[i] : "");
    }
    out += "# EOF\n";
    return out;
}

}  // namespace metrics_plugin
