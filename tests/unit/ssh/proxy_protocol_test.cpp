// The PROXY protocol header parser (ssh/proxy_protocol.hpp) case by case
// against HAProxy's proxy-protocol.txt, the trusted ranges of
// ssh.proxyProtocolAllowedCIDRs, and the three ssh.proxyProtocol* keys as the
// configuration reads them.
#include <boost/test/unit_test.hpp>

#include "config/address_range.hpp"
#include "config/config.hpp"
#include "ssh/proxy_protocol.hpp"

#include <arpa/inet.h>

#include <string>
#include <vector>

using namespace csh::ssh::proxy_protocol;
using namespace std::string_literals;

namespace {

const std::string kV2Signature("\r\n\r\n\0\r\nQUIT\n", 12);

std::string be16(unsigned value) {
    return {static_cast<char>((value >> 8) & 0xff), static_cast<char>(value & 0xff)};
}

std::string ipv4(const char* text) {
    std::string bytes(4, '\0');
    inet_pton(AF_INET, text, bytes.data());
    return bytes;
}

std::string ipv6(const char* text) {
    std::string bytes(16, '\0');
    inet_pton(AF_INET6, text, bytes.data());
    return bytes;
}

// A v2 header: signature, version/command, family, length, then `block`.
std::string v2(unsigned char version_command, unsigned char family, const std::string& block) {
    return kV2Signature + static_cast<char>(version_command) + static_cast<char>(family) + be16(block.size()) + block;
}

std::string tcp4_block(const char* source, const char* destination, unsigned source_port, unsigned destination_port) {
    return ipv4(source) + ipv4(destination) + be16(source_port) + be16(destination_port);
}

std::string tlv(unsigned char type, const std::string& value) {
    return static_cast<char>(type) + be16(value.size()) + value;
}

const std::string kSshLine = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n";

// Every proper prefix of a header asks for more bytes, and never for fewer
// than it has.
void every_prefix_is_incomplete(const std::string& header) {
    for (std::size_t n = 0; n < header.size(); ++n) {
        const auto r = parse(header.substr(0, n));
        BOOST_TEST_INFO("prefix of " << n << " bytes");
        BOOST_TEST((r.status == Status::incomplete));
        BOOST_TEST(r.length > n);
    }
}

// A complete header of `length` bytes carrying these addresses.
void expect_addresses(const Result& r, std::size_t length, const std::string& description, const char* source,
                      std::uint16_t source_port, const char* destination, std::uint16_t destination_port) {
    BOOST_REQUIRE((r.status == Status::complete));
    BOOST_TEST(r.length == length);
    BOOST_TEST(r.header.has_addresses);
    BOOST_TEST(r.header.ipv6 == (description.back() == '6'));
    BOOST_TEST(r.header.source_ip == source);
    BOOST_TEST(r.header.source_port == source_port);
    BOOST_TEST(r.header.destination_ip == destination);
    BOOST_TEST(r.header.destination_port == destination_port);
    BOOST_TEST(r.header.description == description);
}

Result invalid_because(const std::string& data) {
    const auto r = parse(data);
    BOOST_TEST_INFO("input: " << data);
    BOOST_TEST((r.status == Status::invalid));
    BOOST_TEST(!r.problem.empty());
    return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(proxy_protocol_v1)

BOOST_AUTO_TEST_CASE(tcp4_gives_the_client_and_stops_at_the_crlf) {
    const std::string line = "PROXY TCP4 192.0.2.7 198.51.100.1 51234 2222\r\n";
    const auto r = parse(line + kSshLine);
    expect_addresses(r, line.size(), "v1 TCP4", "192.0.2.7", 51234, "198.51.100.1", 2222);
    BOOST_TEST(r.header.version == 1);
    every_prefix_is_incomplete(line);
}

BOOST_AUTO_TEST_CASE(tcp6_addresses_come_out_canonical) {
    const std::string line = "PROXY TCP6 2001:DB8:0:0:0:0:0:7 ::1 0 65535\r\n";
    expect_addresses(parse(line), line.size(), "v1 TCP6", "2001:db8::7", 0, "::1", 65535);
}

BOOST_AUTO_TEST_CASE(unknown_keeps_the_peer_and_ignores_the_rest_of_the_line) {
    for (const std::string& line : {"PROXY UNKNOWN\r\n"s, "PROXY UNKNOWN 1.2.3.4 whatever \x01 goes\r\n"s}) {
        const auto r = parse(line + kSshLine);
        BOOST_REQUIRE((r.status == Status::complete));
        BOOST_TEST(r.length == line.size());
        BOOST_TEST(!r.header.has_addresses);
        BOOST_TEST(r.header.description == "v1 UNKNOWN");
    }
}

BOOST_AUTO_TEST_CASE(the_longest_line_is_107_bytes_with_its_crlf) {
    // The specification's worst case: UNKNOWN with two full IPv6 addresses.
    const std::string ip = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
    const std::string longest = "PROXY UNKNOWN " + ip + " " + ip + " 65535 65535\r\n";
    BOOST_REQUIRE(longest.size() == kV1MaxLength);
    BOOST_TEST((parse(longest).status == Status::complete));
    BOOST_TEST((parse(longest.substr(0, 106)).status == Status::incomplete));
    // One byte more, or no CRLF in the first 107: refused, not waited for.
    invalid_because("PROXY UNKNOWN " + ip + " " + ip + " 65535 655350\r\n");
    invalid_because("PROXY UNKNOWN " + std::string(200, 'x'));
    invalid_because("PROXY TCP4 " + std::string(96, '1'));
}

BOOST_AUTO_TEST_CASE(line_ends_other_than_crlf_are_refused) {
    invalid_because("PROXY TCP4 192.0.2.7 198.51.100.1 51234 2222\n");
    invalid_because("PROXY TCP4 192.0.2.7 198.51.100.1 51234 2222\rSSH");
    invalid_because("PROXY UNKNOWN\n\r");
}

BOOST_AUTO_TEST_CASE(bad_fields_are_refused_with_what_was_wrong) {
    BOOST_TEST(invalid_because("PROXY TCP5 1.2.3.4 1.2.3.4 1 2\r\n").problem.find("TCP5") != std::string::npos);
    invalid_because("PROXY tcp4 1.2.3.4 1.2.3.4 1 2\r\n");
    invalid_because("PROXY \r\n");
    invalid_because("PROXY  TCP4 1.2.3.4 1.2.3.4 1 2\r\n");
    invalid_because("PROXY TCP4  1.2.3.4 1.2.3.4 1 2\r\n");
    invalid_because("PROXY TCP4 1.2.3.4 1.2.3.4 1 2 \r\n");
    invalid_because("PROXY TCP4 1.2.3.4 1.2.3.4 1\r\n");
    invalid_because("PROXY TCP4 1.2.3.4 1.2.3.4 1 2 3\r\n");
    invalid_because("PROXY TCP4\r\n");
    invalid_because("PROXY UNKNOWNX\r\n");
}

BOOST_AUTO_TEST_CASE(bad_addresses_are_refused) {
    const auto source = invalid_because("PROXY TCP4 192.0.2.07 1.2.3.4 1 2\r\n");
    BOOST_TEST(source.problem.find("source address") != std::string::npos);
    BOOST_TEST(source.problem.find("192.0.2.07") != std::string::npos);
    BOOST_TEST(invalid_because("PROXY TCP4 1.2.3.4 256.0.0.1 1 2\r\n").problem.find("destination address") !=
               std::string::npos);
    for (const char* bad : {"1.2.3", "1.2.3.4.5", "1..3.4", "1.2.3.", "-1.2.3.4", "1.2.3.4a", "::1", "0x1.2.3.4"}) {
        invalid_because("PROXY TCP4 "s + bad + " 1.2.3.4 1 2\r\n");
    }
    for (const char* bad : {"1.2.3.4", "::ffff:1.2.3.4", "fe80::1%eth0", "1:2:3:4:5:6:7:8:9", "g::1", "1:::2"}) {
        invalid_because("PROXY TCP6 "s + bad + " ::1 1 2\r\n");
    }
}

BOOST_AUTO_TEST_CASE(bad_ports_are_refused) {
    for (const char* bad : {"65536", "080", "00", "-1", "1e3", "99999999", "+1", "0x10"}) {
        const auto r = invalid_because("PROXY TCP4 1.2.3.4 5.6.7.8 "s + bad + " 22\r\n");
        BOOST_TEST(r.problem.find("source port") != std::string::npos);
        invalid_because("PROXY TCP4 1.2.3.4 5.6.7.8 22 "s + bad + "\r\n");
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(proxy_protocol_v2)

BOOST_AUTO_TEST_CASE(proxy_tcp4_gives_the_client_and_takes_exactly_the_header) {
    const std::string header = v2(0x21, 0x11, tcp4_block("192.0.2.7", "198.51.100.1", 51234, 2222));
    BOOST_REQUIRE(header.size() == 28u);
    const auto r = parse(header + kSshLine);
    expect_addresses(r, 28, "v2 PROXY TCP4", "192.0.2.7", 51234, "198.51.100.1", 2222);
    BOOST_TEST(r.header.version == 2);
    every_prefix_is_incomplete(header);
    // Once the fixed part is there, the whole length is asked for.
    BOOST_TEST(parse(header.substr(0, 16)).length == 28u);
}

BOOST_AUTO_TEST_CASE(proxy_tcp6) {
    const std::string block = ipv6("2001:db8::7") + ipv6("2001:db8::1") + be16(65535) + be16(0);
    expect_addresses(parse(v2(0x21, 0x21, block)), 52, "v2 PROXY TCP6", "2001:db8::7", 65535, "2001:db8::1", 0);
}

BOOST_AUTO_TEST_CASE(local_keeps_the_peer_and_skips_its_block_unread) {
    const auto empty = parse(v2(0x20, 0x00, "") + kSshLine);
    BOOST_REQUIRE((empty.status == Status::complete));
    BOOST_TEST(empty.length == 16u);
    BOOST_TEST(!empty.header.has_addresses);
    BOOST_TEST(empty.header.description == "v2 LOCAL");
    // The length is honoured whatever the block holds (the specification:
    // never assume zero for LOCAL).
    const auto junk = parse(v2(0x20, 0x11, std::string(5, '\xff')));
    BOOST_REQUIRE((junk.status == Status::complete));
    BOOST_TEST(junk.length == 21u);
    BOOST_TEST(!junk.header.has_addresses);
}

BOOST_AUTO_TEST_CASE(families_without_tcp_addresses_keep_the_peer) {
    for (unsigned char family : {0x00, 0x12, 0x22, 0x31, 0x32, 0x10, 0x01}) {
        BOOST_TEST_INFO("family " << int(family));
        const auto r = parse(v2(0x21, family, std::string(family >= 0x30 ? 216 : 12, '\x01')));
        BOOST_REQUIRE((r.status == Status::complete));
        BOOST_TEST(!r.header.has_addresses);
    }
}

BOOST_AUTO_TEST_CASE(tlvs_after_the_addresses_are_skipped) {
    const std::string tlvs = tlv(0x01, "h2") + tlv(0x04, std::string(3, '\0')) + tlv(0x20, std::string(300, 'c'));
    const std::string header = v2(0x21, 0x11, tcp4_block("10.1.2.3", "10.0.0.1", 4000, 22) + tlvs);
    expect_addresses(parse(header + kSshLine), header.size(), "v2 PROXY TCP4", "10.1.2.3", 4000, "10.0.0.1", 22);
    // An empty TLV is a TLV.
    BOOST_TEST((parse(v2(0x21, 0x11, tcp4_block("1.2.3.4", "1.2.3.4", 1, 2) + tlv(0x04, ""))).status ==
                Status::complete));
}

BOOST_AUTO_TEST_CASE(tlvs_that_do_not_fit_are_refused) {
    const std::string addresses = tcp4_block("10.1.2.3", "10.0.0.1", 4000, 22);
    // A value longer than what is left.
    const std::string overrun = static_cast<char>(0x01) + be16(10) + "short";
    BOOST_TEST(invalid_because(v2(0x21, 0x11, addresses + overrun)).problem.find("TLV 0x01") != std::string::npos);
    // One or two bytes left: not even a TLV header.
    invalid_because(v2(0x21, 0x11, addresses + "\x01"));
    invalid_because(v2(0x21, 0x11, addresses + tlv(0x04, "ok") + std::string("\x01\x00", 2)));
}

BOOST_AUTO_TEST_CASE(a_header_cut_short_waits_for_its_length) {
    // 0xffff bytes announced: the largest header the specification allows.
    const std::string fixed = kV2Signature + "\x21\x11" + be16(0xffff);
    const auto r = parse(fixed + tcp4_block("1.2.3.4", "5.6.7.8", 1, 2));
    BOOST_TEST((r.status == Status::incomplete));
    BOOST_TEST(r.length == 16u + 0xffffu);
}

BOOST_AUTO_TEST_CASE(an_address_block_too_short_is_refused) {
    BOOST_TEST(invalid_because(v2(0x21, 0x11, std::string(8, '\0'))).problem.find("needs 12") != std::string::npos);
    invalid_because(v2(0x21, 0x21, tcp4_block("1.2.3.4", "5.6.7.8", 1, 2)));
}

BOOST_AUTO_TEST_CASE(bad_version_command_family_or_transport_is_refused_before_the_rest) {
    // Only the fixed part is given: each is refused without waiting.
    invalid_because(kV2Signature + "\x11\x11" + be16(12));
    invalid_because(kV2Signature + "\x31\x11" + be16(12));
    invalid_because(kV2Signature + "\x22\x11" + be16(12));
    invalid_because(kV2Signature + "\x2f\x11" + be16(12));
    invalid_because(kV2Signature + "\x21\x41" + be16(12));
    invalid_because(kV2Signature + "\x21\x13" + be16(12));
}

BOOST_AUTO_TEST_CASE(a_wrong_signature_is_refused) {
    for (std::size_t i = 1; i < kV2Signature.size(); ++i) {
        std::string wrong = v2(0x21, 0x11, tcp4_block("1.2.3.4", "5.6.7.8", 1, 2));
        wrong[i] = static_cast<char>(wrong[i] ^ 0x20);
        BOOST_TEST_INFO("byte " << i);
        invalid_because(wrong);
    }
    invalid_because("PROXX TCP4 1.2.3.4 5.6.7.8 1 2\r\n");
    invalid_because("PR\r\n");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(proxy_protocol_other_input)

BOOST_AUTO_TEST_CASE(an_ssh_client_or_garbage_is_no_header) {
    for (const std::string& data : {kSshLine, "S"s, "GET / HTTP/1.1\r\n"s, "\x00\x01"s, "\xff"s, " PROXY TCP4"s}) {
        BOOST_TEST((parse(data).status == Status::not_proxy));
    }
}

BOOST_AUTO_TEST_CASE(nothing_yet_is_incomplete) {
    const auto r = parse("");
    BOOST_TEST((r.status == Status::incomplete));
    BOOST_TEST(r.length == 1u);
}

BOOST_AUTO_TEST_CASE(problems_quote_the_peers_bytes_printably) {
    const auto r = invalid_because("PROXY TCP4 1.2.3.4 5.6.7.8 \x01\x7f\"x 22\r\n");
    BOOST_TEST(r.problem.find("\\x01\\x7f\\x22x") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(proxy_protocol_allowed_cidrs)

namespace {

bool in(const char* range_text, const char* address) {
    std::string problem;
    const auto range = csh::config::parse_address_range(range_text, problem);
    BOOST_REQUIRE_MESSAGE(range, problem);
    unsigned char bytes[16];
    if (inet_pton(AF_INET, address, bytes) == 1) return range->contains(bytes, 4);
    BOOST_REQUIRE(inet_pton(AF_INET6, address, bytes) == 1);
    return range->contains(bytes, 16);
}

}  // namespace

BOOST_AUTO_TEST_CASE(ranges_and_single_addresses_match) {
    BOOST_TEST(in("10.0.0.0/8", "10.255.1.2"));
    BOOST_TEST(!in("10.0.0.0/8", "11.0.0.1"));
    BOOST_TEST(in("192.0.2.7", "192.0.2.7"));
    BOOST_TEST(!in("192.0.2.7", "192.0.2.8"));
    BOOST_TEST(in("10.1.2.3/8", "10.9.9.9"));  // host bits ignored, as Go's ParseCIDR
    BOOST_TEST(in("128.0.0.0/1", "200.0.0.1"));
    BOOST_TEST(!in("128.0.0.0/1", "127.255.255.255"));
    BOOST_TEST(in("172.16.0.0/12", "172.31.255.255"));
    BOOST_TEST(!in("172.16.0.0/12", "172.32.0.0"));
    BOOST_TEST(in("0.0.0.0/0", "203.0.113.1"));
    BOOST_TEST(!in("0.0.0.0/0", "2001:db8::1"));
    BOOST_TEST(in("fd00::/8", "fd12:3456::1"));
    BOOST_TEST(!in("fd00::/8", "fe80::1"));
    BOOST_TEST(in("::1", "::1"));
    BOOST_TEST(in("::/0", "2001:db8::1"));
    BOOST_TEST(!in("::/0", "10.0.0.1"));
}

BOOST_AUTO_TEST_CASE(ipv4_mapped_peers_match_ipv4_ranges) {
    // How a listener on [::] sees an IPv4 peer.
    BOOST_TEST(in("127.0.0.0/8", "::ffff:127.0.0.1"));
    BOOST_TEST(!in("127.0.0.0/8", "::ffff:10.0.0.1"));
    BOOST_TEST(!in("127.0.0.1", "::1"));
}

BOOST_AUTO_TEST_CASE(malformed_ranges_are_refused) {
    for (const char* bad : {"", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/08", "10.0.0.0/-1", "10.0.0/8", "1.2.3.04",
                            "::/129", "fe80::1%eth0", "example.com", "10.0.0.0/8/8", "10.0.0.0 /8", "/8"}) {
        std::string problem;
        BOOST_TEST_INFO(bad);
        BOOST_TEST(!csh::config::parse_address_range(bad, problem));
        BOOST_TEST(!problem.empty());
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(proxy_protocol_keys)

namespace {

csh::config::Config config_of(const std::string& yaml) {
    return csh::config::Config::parse("backend: local\n" + yaml, false, "test");
}

csh::config::ConfigError refusal_of(const std::string& yaml) {
    try {
        config_of(yaml);
    } catch (const csh::config::ConfigError& e) {
        return e;
    }
    BOOST_FAIL("accepted: " << yaml);
    throw std::logic_error("unreachable");
}

}  // namespace

BOOST_AUTO_TEST_CASE(off_by_default_with_a_timeout_and_required) {
    const auto ssh = config_of("").ssh();
    BOOST_TEST(ssh.proxy_protocol_allowed.empty());
    BOOST_TEST(ssh.proxy_protocol_header_timeout.count() == 5000);
    BOOST_TEST(ssh.proxy_protocol_required);
}

BOOST_AUTO_TEST_CASE(keys_are_read) {
    const auto ssh = config_of("ssh:\n"
                               "  proxyProtocolAllowedCIDRs: [10.0.0.0/8, \"2001:db8::/32\", 192.0.2.7]\n"
                               "  proxyProtocolHeaderTimeout: 1500ms\n"
                               "  proxyProtocolRequired: false\n")
                         .ssh();
    BOOST_REQUIRE(ssh.proxy_protocol_allowed.size() == 3u);
    BOOST_TEST(ssh.proxy_protocol_allowed[0].prefix == 8u);
    BOOST_TEST(ssh.proxy_protocol_allowed[1].ipv6);
    BOOST_TEST(ssh.proxy_protocol_allowed[2].prefix == 32u);
    BOOST_TEST(ssh.proxy_protocol_allowed[2].text == "192.0.2.7");
    BOOST_TEST(ssh.proxy_protocol_header_timeout.count() == 1500);
    BOOST_TEST(!ssh.proxy_protocol_required);
}

BOOST_AUTO_TEST_CASE(a_malformed_cidr_stops_the_start_naming_the_key) {
    const auto range = refusal_of("ssh:\n  proxyProtocolAllowedCIDRs:\n    - 10.0.0.0/8\n    - 10.0.0.0/40\n");
    BOOST_TEST(range.key_path() == "ssh.proxyProtocolAllowedCIDRs[1]");
    BOOST_TEST(std::string(range.what()).find("ssh.proxyProtocolAllowedCIDRs[1]") != std::string::npos);
    BOOST_TEST(range.problem().find("0 to 32") != std::string::npos);
    BOOST_TEST(range.line() == 5);
    const auto name = refusal_of("ssh:\n  proxyProtocolAllowedCIDRs: [lb.example.com]\n");
    BOOST_TEST(name.key_path() == "ssh.proxyProtocolAllowedCIDRs[0]");
    BOOST_TEST(name.problem().find("lb.example.com") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_zero_timeout_is_refused) {
    BOOST_TEST(refusal_of("ssh:\n  proxyProtocolHeaderTimeout: 0s\n").key_path() == "ssh.proxyProtocolHeaderTimeout");
    BOOST_CHECK_THROW(config_of("ssh:\n  proxyProtocolAllowedCIDRs: 10.0.0.0/8\n"), csh::config::ConfigError);
}

BOOST_AUTO_TEST_SUITE_END()
