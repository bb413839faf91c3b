// The two serialisers and the Accept rules without a server: escaping, the
// unit rule, counters' names, histogram buckets, number forms, an empty
// registry.
#include "exposition.hpp"
#include "metrics_endpoint.hpp"
#include "openmetrics_serializer.hpp"

#include "curl_fetch.hpp"
#include "process.hpp"

#include <boost/test/unit_test.hpp>

#include <limits>
#include <string>
#include <vector>

using csh::sdk::MetricFamilySnapshot;
using csh::sdk::MetricSeries;
using namespace metrics_plugin;

namespace {

MetricFamilySnapshot family(std::string name, std::string unit, csh_metric_type type, std::vector<MetricSeries> series,
                            std::string help = "Help.") {
    return MetricFamilySnapshot{std::move(name), std::move(help), std::move(unit), type, std::move(series)};
}

MetricSeries value(double v, std::vector<std::pair<std::string, std::string>> labels = {}) {
    MetricSeries series;
    series.labels = std::move(labels);
    series.value = v;
    return series;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(exposition)

BOOST_AUTO_TEST_CASE(label_values_and_help_are_escaped_in_both_formats) {
    const auto exposition = to_exposition({family("containerssh_test_total", "", CSH_METRIC_COUNTER,
                                                  {value(1, {{"reason", "a \"quoted\" \\ back\nslash"}})},
                                                  "Line one\nline \\ two")});
    BOOST_TEST(openmetrics_text(exposition) ==
               "# HELP containerssh_test Line one\\nline \\\\ two\n"
               "# TYPE containerssh_test counter\n"
               "containerssh_test_total{reason=\"a \\\"quoted\\\" \\\\ back\\nslash\"} 1.0\n"
               "# EOF\n");
    BOOST_TEST(prometheus_text(exposition) ==
               "# HELP containerssh_test_total Line one\\nline \\\\ two\n"
               "# TYPE containerssh_test_total counter\n"
               "containerssh_test_total{reason=\"a \\\"quoted\\\" \\\\ back\\nslash\"} 1\n");
    const auto promtool = csh::test::run({"promtool", "check", "metrics"}, prometheus_text(exposition));
    BOOST_TEST(promtool.exit_code == 0, promtool.out + promtool.err);
}

BOOST_AUTO_TEST_CASE(a_unit_is_written_only_when_it_ends_the_family_name) {
    const auto exposition = to_exposition({
        family("containerssh_auth_server_requests_total", "requests", CSH_METRIC_COUNTER, {value(2)}),
        family("containerssh_ssh_connections_total", "connections_total", CSH_METRIC_COUNTER, {value(3)}),
        family("containerssh_ssh_current_connections", "connections", CSH_METRIC_GAUGE, {value(-1.5)}),
        family("containerssh_temperature", "celsius", CSH_METRIC_GAUGE, {value(0.25)}, ""),
    });
    BOOST_TEST(openmetrics_text(exposition) ==
               "# HELP containerssh_auth_server_requests Help.\n"
               "# TYPE containerssh_auth_server_requests counter\n"
               "# UNIT containerssh_auth_server_requests requests\n"
               "containerssh_auth_server_requests_total 2.0\n"
               "# HELP containerssh_ssh_connections Help.\n"
               "# TYPE containerssh_ssh_connections counter\n"
               "containerssh_ssh_connections_total 3.0\n"
               "# HELP containerssh_ssh_current_connections Help.\n"
               "# TYPE containerssh_ssh_current_connections gauge\n"
               "# UNIT containerssh_ssh_current_connections connections\n"
               "containerssh_ssh_current_connections -1.5\n"
               "# TYPE containerssh_temperature gauge\n"
               "containerssh_temperature 0.25\n"
               "# EOF\n");
}

BOOST_AUTO_TEST_CASE(histogram_buckets_are_cumulative_with_inf_last_and_canonical_bounds) {
    MetricSeries series;
    series.labels = {{"phase", "backend"}};
    series.bounds = {0.005, 1, 2.5, 1e21};
    series.bucket_counts = {1, 2, 2, 3};
    series.sum = 7.5;
    series.count = 4;
    const auto exposition =
        to_exposition({family("containerssh_phase_seconds", "seconds", CSH_METRIC_HISTOGRAM, {series})});
    BOOST_TEST(openmetrics_text(exposition) ==
               "# HELP containerssh_phase_seconds Help.\n"
               "# TYPE containerssh_phase_seconds histogram\n"
               "# UNIT containerssh_phase_seconds seconds\n"
               "containerssh_phase_seconds_bucket{phase=\"backend\",le=\"0.005\"} 1\n"
               "containerssh_phase_seconds_bucket{phase=\"backend\",le=\"1.0\"} 2\n"
               "containerssh_phase_seconds_bucket{phase=\"backend\",le=\"2.5\"} 2\n"
               "containerssh_phase_seconds_bucket{phase=\"backend\",le=\"1e+21\"} 3\n"
               "containerssh_phase_seconds_bucket{phase=\"backend\",le=\"+Inf\"} 4\n"
               "containerssh_phase_seconds_sum{phase=\"backend\"} 7.5\n"
               "containerssh_phase_seconds_count{phase=\"backend\"} 4\n"
               "# EOF\n");
}

BOOST_AUTO_TEST_CASE(special_values_are_spelt_as_openmetrics_spells_them) {
    const auto exposition = to_exposition({family("containerssh_x", "", CSH_METRIC_GAUGE,
                                                  {value(std::numeric_limits<double>::infinity(), {{"k", "a"}}),
                                                   value(-std::numeric_limits<double>::infinity(), {{"k", "b"}}),
                                                   value(std::numeric_limits<double>::quiet_NaN(), {{"k", "c"}}),
                                                   value(1e-7, {{"k", "d"}})})});
    BOOST_TEST(openmetrics_text(exposition) ==
               "# HELP containerssh_x Help.\n"
               "# TYPE containerssh_x gauge\n"
               "containerssh_x{k=\"a\"} +Inf\n"
               "containerssh_x{k=\"b\"} -Inf\n"
               "containerssh_x{k=\"c\"} NaN\n"
               "containerssh_x{k=\"d\"} 1e-07\n"
               "# EOF\n");
}

BOOST_AUTO_TEST_CASE(an_empty_registry_is_an_empty_text_and_an_eof) {
    const auto exposition = to_exposition({});
    BOOST_TEST(prometheus_text(exposition).empty());
    BOOST_TEST(openmetrics_text(exposition) == "# EOF\n");
}

BOOST_AUTO_TEST_CASE(openmetrics_is_chosen_only_when_preferred) {
    // What Prometheus 2.x sends.
    BOOST_TEST(wants_openmetrics("application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
                                 "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"));
    BOOST_TEST(wants_openmetrics("application/openmetrics-text"));
    BOOST_TEST(wants_openmetrics("Application/OpenMetrics-Text; Version=1.0.0; charset=utf-8"));
    BOOST_TEST(!wants_openmetrics(""));
    BOOST_TEST(!wants_openmetrics("*/*"));
    BOOST_TEST(!wants_openmetrics("text/plain;version=0.0.4"));
    BOOST_TEST(!wants_openmetrics("text/plain, application/openmetrics-text;q=0.5"));
    BOOST_TEST(!wants_openmetrics("application/openmetrics-text;q=0"));
    BOOST_TEST(!wants_openmetrics("application/openmetrics-text;version=0.0.1"));
}

BOOST_AUTO_TEST_SUITE_END()
