// Provider "maxmind": what a lookup answers, against a database the test writes.
#include "geoip/country_lookup.hpp"

#include "temp_dir.hpp"
#include "test_database.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <string>

using csh::geoip::open_country_lookup;

namespace {

struct CountryDatabase {
    csh::test::TempDir dir;
    std::string file = dir.file("GeoIP2-Country.mmdb");
    CountryDatabase() {
        // The narrower 192.0.2.128/25 comes first on purpose: the script must
        // still let it win over the /24 that contains it.
        csh::test::write_geoip_database(file, {"192.0.2.128/25=NL", "127.0.0.0/8=DE", "::1/128=FR",
                                               "192.0.2.0/24=JP", "198.51.100.0/24=registered:AU",
                                               "203.0.113.0/24="});
    }
};

// Whether `file` is mapped into this process (libmaxminddb maps the database).
bool mapped(const std::string& file) {
    std::ifstream maps("/proc/self/maps");
    for (std::string line; std::getline(maps, line);) {
        if (line.size() >= file.size() && line.compare(line.size() - file.size(), file.size(), file) == 0) {
            return true;
        }
    }
    return false;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(maxmind_lookup, CountryDatabase)

BOOST_AUTO_TEST_CASE(ipv4_and_ipv6_addresses_find_their_country) {
    const auto lookup = open_country_lookup("maxmind", file);
    BOOST_TEST(lookup->country("127.0.0.1") == "DE");
    BOOST_TEST(lookup->country("127.255.0.9") == "DE");
    BOOST_TEST(lookup->country("::1") == "FR");
    BOOST_TEST(lookup->country("0:0:0:0:0:0:0:1") == "FR");
    BOOST_TEST(lookup->country("192.0.2.7") == "JP");
    BOOST_TEST(lookup->country("192.0.2.200") == "NL");
}

BOOST_AUTO_TEST_CASE(ipv4_mapped_ipv6_finds_the_ipv4_country) {
    // What a dual-stack listener reports for an IPv4 client.
    const auto lookup = open_country_lookup("maxmind", file);
    BOOST_TEST(lookup->country("::ffff:127.0.0.1") == "DE");
    BOOST_TEST(lookup->country("::ffff:192.0.2.7") == "JP");
}

BOOST_AUTO_TEST_CASE(registered_country_is_the_fallback) {
    const auto lookup = open_country_lookup("maxmind", file);
    BOOST_TEST(lookup->country("198.51.100.1") == "AU");
}

BOOST_AUTO_TEST_CASE(unknown_is_xx) {
    const auto lookup = open_country_lookup("maxmind", file);
    BOOST_TEST(lookup->country("10.0.0.1") == "XX");        // not in the database
    BOOST_TEST(lookup->country("2001:db8::1") == "XX");     // not in the database
    BOOST_TEST(lookup->country("203.0.113.5") == "XX");     // a record without a country
    BOOST_TEST(lookup->country("not-an-ip") == "XX");
    BOOST_TEST(lookup->country("localhost") == "XX");       // names are never resolved
    BOOST_TEST(lookup->country("127.0.0.1:2222") == "XX");  // a port is not part of the address
    BOOST_TEST(lookup->country("") == "XX");
}

BOOST_AUTO_TEST_CASE(describe_names_the_file) {
    const auto lookup = open_country_lookup("maxmind", file);
    BOOST_TEST(lookup->describe() == "maxmind " + file);
}

BOOST_AUTO_TEST_CASE(the_database_is_mapped_until_destruction) {
    auto lookup = open_country_lookup("maxmind", file);
    BOOST_TEST(mapped(file));
    lookup.reset();
    BOOST_TEST(!mapped(file));
}

BOOST_AUTO_TEST_SUITE_END()
