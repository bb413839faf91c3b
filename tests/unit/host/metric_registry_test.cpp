// The host's metric registry: what exporters read through the metrics
// service (counters, gauges, and the histograms of ABI 1.1).
#define BOOST_TEST_MODULE unit_host
#include <boost/test/unit_test.hpp>

#include "host/metric_registry.hpp"

#include <cmath>
#include <string>
#include <vector>

using csh::host::MetricRegistry;

namespace {

struct HistogramSeen {
    std::string name;
    std::vector<std::pair<std::string, std::string>> labels;
    std::vector<double> bounds;
    std::vector<uint64_t> cumulative;
    double sum;
    uint64_t count;
    uint32_t struct_size;
};

std::vector<HistogramSeen> histograms(const MetricRegistry& registry) {
    std::vector<HistogramSeen> seen;
    registry.collect_histograms(
        [](void* user, const csh_histogram_sample* s) {
            HistogramSeen h{s->name, {}, {}, {}, s->sum, s->count, s->struct_size};
            for (size_t i = 0; i < s->label_count; ++i) {
                h.labels.emplace_back(std::string(s->labels[i].key.data, s->labels[i].key.size),
                                      std::string(s->labels[i].value.data, s->labels[i].value.size));
            }
            h.bounds.assign(s->bounds, s->bounds + s->bound_count);
            h.cumulative.assign(s->bucket_counts, s->bucket_counts + s->bound_count);
            static_cast<std::vector<HistogramSeen>*>(user)->push_back(h);
        },
        &seen);
    return seen;
}

std::vector<std::string> plain_names(const MetricRegistry& registry) {
    std::vector<std::string> names;
    registry.collect([](void* user, const csh_metric_sample* s) { static_cast<std::vector<std::string>*>(user)->push_back(s->name); },
                     &names);
    return names;
}

}  // namespace

BOOST_AUTO_TEST_CASE(observations_land_in_inclusive_buckets_and_are_reported_cumulatively) {
    MetricRegistry registry;
    auto* h = registry.define_histogram("login_seconds", "help", "seconds", {"phase"}, {0.1, 1, 10});
    BOOST_REQUIRE(h != nullptr);
    for (double v : {0.05, 0.1, 0.5, 1.0, 5.0, 50.0}) registry.observe(h, {"backend"}, v);
    const auto seen = histograms(registry);
    BOOST_REQUIRE_EQUAL(seen.size(), 1u);
    BOOST_TEST(seen[0].name == "login_seconds");
    BOOST_TEST(seen[0].struct_size == sizeof(csh_histogram_sample));
    BOOST_REQUIRE_EQUAL(seen[0].labels.size(), 1u);
    BOOST_TEST(seen[0].labels[0].first == "phase");
    BOOST_TEST(seen[0].labels[0].second == "backend");
    BOOST_TEST(seen[0].bounds == (std::vector<double>{0.1, 1, 10}), boost::test_tools::per_element());
    // le is inclusive: 0.1 counts in the 0.1 bucket, 1.0 in the 1 bucket; 50 only in +Inf (count).
    BOOST_TEST(seen[0].cumulative == (std::vector<uint64_t>{2, 4, 5}), boost::test_tools::per_element());
    BOOST_TEST(seen[0].count == 6u);
    BOOST_TEST(seen[0].sum == 56.65, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(each_label_set_is_its_own_series) {
    MetricRegistry registry;
    auto* h = registry.define_histogram("phase_seconds", "", "seconds", {"phase"}, {1});
    registry.observe(h, {"a"}, 0.5);
    registry.observe(h, {"b"}, 2);
    registry.observe(h, {"b"}, 3);
    const auto seen = histograms(registry);
    BOOST_REQUIRE_EQUAL(seen.size(), 2u);
    BOOST_TEST(seen[0].count == 1u);
    BOOST_TEST(seen[1].count == 2u);
    BOOST_TEST(seen[1].cumulative[0] == 0u);
}

BOOST_AUTO_TEST_CASE(invalid_or_conflicting_definitions_are_refused) {
    MetricRegistry registry;
    BOOST_TEST(registry.define_histogram("h", "", "", {}, {1, 1}) == nullptr);       // not strictly ascending
    BOOST_TEST(registry.define_histogram("h", "", "", {}, {2, 1}) == nullptr);
    BOOST_TEST(registry.define_histogram("h", "", "", {}, {1, INFINITY}) == nullptr);  // +Inf is implied
    auto* h = registry.define_histogram("h", "", "", {"x"}, {1, 2});
    BOOST_REQUIRE(h != nullptr);
    BOOST_TEST(registry.define_histogram("h", "", "", {"x"}, {1, 2}) == h);         // same: same handle
    BOOST_TEST(registry.define_histogram("h", "", "", {"x"}, {1, 3}) == nullptr);   // other bounds
    BOOST_TEST(registry.define(CSH_METRIC_COUNTER, "h", "", "", {"x"}) == nullptr);  // other type
    BOOST_TEST(registry.define(CSH_METRIC_HISTOGRAM, "g", "", "", {}) == nullptr);   // histograms need bounds
}

BOOST_AUTO_TEST_CASE(counters_and_histograms_do_not_mix) {
    MetricRegistry registry;
    auto* counter = registry.define(CSH_METRIC_COUNTER, "c_total", "", "", {});
    auto* h = registry.define_histogram("h", "", "", {}, {1});
    registry.add(counter, {}, 1);
    registry.observe(counter, {}, 1);  // ignored: not a histogram
    registry.add(h, {}, 1);            // ignored: not a counter
    registry.observe(h, {}, NAN);      // ignored: not a value
    // An exporter of ABI 1.0 calls only collect: it sees the counter, never the histogram.
    BOOST_TEST(plain_names(registry) == (std::vector<std::string>{"c_total"}), boost::test_tools::per_element());
    BOOST_TEST(histograms(registry).empty());
}
