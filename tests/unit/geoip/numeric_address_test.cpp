// What text counts as a client address.
#include "geoip/numeric_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <boost/test/unit_test.hpp>

#include <string>

using csh::geoip::parse_numeric_address;

namespace {

std::string ipv4_text(const sockaddr_storage& storage) {
    char text[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage)->sin_addr, text, sizeof text);
    return text;
}

std::string ipv6_text(const sockaddr_storage& storage) {
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_addr, text, sizeof text);
    return text;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(numeric_address)

BOOST_AUTO_TEST_CASE(ipv4) {
    const auto address = parse_numeric_address("192.0.2.7");
    BOOST_REQUIRE(address);
    BOOST_TEST(address->ss_family == AF_INET);
    BOOST_TEST(ipv4_text(*address) == "192.0.2.7");
}

BOOST_AUTO_TEST_CASE(ipv6) {
    const auto address = parse_numeric_address("2001:DB8::7");
    BOOST_REQUIRE(address);
    BOOST_TEST(address->ss_family == AF_INET6);
    BOOST_TEST(ipv6_text(*address) == "2001:db8::7");
}

BOOST_AUTO_TEST_CASE(ipv4_mapped_ipv6_becomes_ipv4) {
    for (const char* text : {"::ffff:192.0.2.7", "::FFFF:c000:207"}) {
        const auto address = parse_numeric_address(text);
        BOOST_REQUIRE(address);
        BOOST_TEST(address->ss_family == AF_INET, text);
        BOOST_TEST(ipv4_text(*address) == "192.0.2.7", text);
    }
}

BOOST_AUTO_TEST_CASE(anything_else_is_refused) {
    using namespace std::string_literals;
    for (const std::string& text : {"not-an-ip"s, ""s, "localhost"s, "192.0.2.7:22"s, "[::1]"s, " 192.0.2.7"s,
                                   "192.0.2.256"s, "fe80::1%lo"s, "192.0.2.7\0junk"s}) {
        BOOST_TEST(!parse_numeric_address(text), text);
    }
}

BOOST_AUTO_TEST_SUITE_END()
