// Provider "maxmind": lookups run from any thread at once (the metrics of
// many connections) without a lock and agree with a lookup made alone.
#include "geoip/country_lookup.hpp"

#include "temp_dir.hpp"
#include "test_database.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

BOOST_AUTO_TEST_SUITE(maxmind_concurrency)

BOOST_AUTO_TEST_CASE(concurrent_lookups_agree_with_serial_ones) {
    csh::test::TempDir dir;
    const std::string file = dir.file("GeoIP2-Country.mmdb");
    csh::test::write_geoip_database(file, {"127.0.0.0/8=DE", "::1/128=FR", "192.0.2.0/24=JP",
                                           "198.51.100.0/24=registered:AU", "2001:db8::/32=SE"});
    const auto lookup = csh::geoip::open_country_lookup("maxmind", file);

    const std::vector<std::string> addresses{"127.0.0.1", "::1",         "192.0.2.7",  "198.51.100.1",
                                             "2001:db8::5", "10.0.0.1", "::ffff:127.0.0.1", "not-an-ip"};
    std::map<std::string, std::string> expected;
    for (const auto& address : addresses) {
        expected[address] = lookup->country(address);
    }
    // The serial answers are the right ones, so agreeing with them means right.
    BOOST_TEST(expected["127.0.0.1"] == "DE");
    BOOST_TEST(expected["2001:db8::5"] == "SE");
    BOOST_TEST(expected["10.0.0.1"] == "XX");

    constexpr int kThreads = 8;
    constexpr int kRounds = 2000;
    std::atomic<int> lookups{0};
    std::atomic<int> disagreements{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < kRounds; ++round) {
                // Each thread walks the list from its own offset, so different
                // addresses are looked up at the same moment.
                const auto& address = addresses[(round + t) % addresses.size()];
                if (lookup->country(address) != expected.at(address)) {
                    ++disagreements;
                }
                ++lookups;
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    BOOST_TEST(lookups.load() == kThreads * kRounds);
    BOOST_TEST(disagreements.load() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
