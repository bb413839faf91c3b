// Provider "dummy" (ContainerSSH's default) and the provider switch.
#include "geoip/country_lookup.hpp"

#include <boost/test/unit_test.hpp>

using csh::geoip::open_country_lookup;

BOOST_AUTO_TEST_SUITE(dummy_provider)

BOOST_AUTO_TEST_CASE(every_address_is_unknown) {
    // The file is not read: a dummy provider works with the default path
    // even where no database is installed.
    const auto lookup = open_country_lookup("dummy", "/nonexistent/GeoIP2-Country.mmdb");
    for (const char* ip : {"127.0.0.1", "::1", "8.8.8.8", "2001:db8::1", "not-an-ip", ""}) {
        BOOST_TEST(lookup->country(ip) == "XX", ip);
    }
    BOOST_TEST(lookup->describe() == "dummy");
}

BOOST_AUTO_TEST_CASE(an_unknown_provider_is_a_bug_of_the_caller) {
    BOOST_CHECK_THROW(open_country_lookup("geoip2", ""), std::invalid_argument);
    BOOST_CHECK_THROW(open_country_lookup("", ""), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
