#include "ssh/proxy_protocol.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstdio>

namespace csh::ssh::proxy_protocol {

namespace {

constexpr std::string_view kV1Signature = "PROXY ";
constexpr char kV2SignatureBytes[] = {'\r', '\n', '\r', '\n', '\0', '\r', '\n', 'Q', 'U', 'I', 'T', '\n'};
constexpr std::string_view kV2Signature(kV2SignatureBytes, sizeof kV2SignatureBytes);

// v2 family/transport bytes whose addresses are used.
constexpr unsigned char kTcpOverIpv4 = 0x11;
constexpr unsigned char kTcpOverIpv6 = 0x21;
constexpr std::size_t kIpv4Block = 2 * 4 + 2 * 2;
constexpr std::size_t kIpv6Block = 2 * 16 + 2 * 2;
constexpr std::size_t kTlvHeader = 3;  // type, 16-bit length

Result incomplete(std::size_t needed) {
    Result r;
    r.status = Status::incomplete;
    r.length = needed;
    return r;
}

Result invalid(std::string problem) {
    Result r;
    r.status = Status::invalid;
    r.problem = std::move(problem);
    return r;
}

// Bytes from the peer, quoted for a log line: printable ASCII as is, the rest
// as \xNN, cut at `limit` characters of input.
std::string quoted(std::string_view bytes, std::size_t limit = 24) {
    std::string out = "\"";
    for (std::size_t i = 0; i < bytes.size() && i < limit; ++i) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            out += static_cast<char>(c);
        } else {
            char escaped[5];
            std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
            out += escaped;
        }
    }
    if (bytes.size() > limit) out += "...";
    return out + "\"";
}

std::string hex_byte(unsigned value) {
    char text[5];
    std::snprintf(text, sizeof text, "0x%02x", value & 0xffu);
    return text;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A decimal number of at most `max_digits` digits without leading zeroes
// (the specification forbids them, as octal look-alikes), at most `max`.
bool parse_decimal(std::string_view text, std::size_t max_digits, unsigned max, unsigned& value) {
    if (text.empty() || text.size() > max_digits) return false;
    if (text.size() > 1 && text.front() == '0') return false;
    value = 0;
    for (char c : text) {
        if (!is_digit(c)) return false;
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    return value <= max;
}

// v1 addresses in their canonical text. IPv4: exactly four decimal numbers
// 0..255 without leading zeroes, checked here rather than left to
// inet_pton, whose tolerance differs between C libraries. IPv6: groups of
// hex digits and colons only (no embedded IPv4, no zone), then inet_pton.
bool parse_ipv4(std::string_view text, std::array<unsigned char, 16>& bytes) {
    std::size_t from = 0;
    for (int part = 0; part < 4; ++part) {
        const std::size_t dot = text.find('.', from);
        const bool last = part == 3;
        if (last != (dot == std::string_view::npos)) return false;
        unsigned value = 0;
        if (!parse_decimal(text.substr(from, last ? std::string_view::npos : dot - from), 3, 255, value)) {
            return false;
        }
        bytes[static_cast<std::size_t>(part)] = static_cast<unsigned char>(value);
        from = dot + 1;
    }
    return true;
}

bool parse_ipv6(std::string_view text, std::array<unsigned char, 16>& bytes) {
    if (text.empty() || text.size() > 39) return false;
    for (char c : text) {
        const bool hex = is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (!hex && c != ':') return false;
    }
    const std::string terminated(text);
    return inet_pton(AF_INET6, terminated.c_str(), bytes.data()) == 1;
}

std::string ip_text(bool ipv6, const unsigned char* bytes) {
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(ipv6 ? AF_INET6 : AF_INET, bytes, text, sizeof text);
    return text;
}

// ---- version 1 ------------------------------------------------------------

// Where the CRLF ends the line: the index of its CR; npos when more bytes
// are needed; `problem` set when the line can never end well.
std::size_t find_line_end(std::string_view data, std::string& problem) {
    const std::size_t scan = std::min(data.size(), kV1MaxLength);
    for (std::size_t i = 0; i < scan; ++i) {
        if (data[i] == '\n') {
            problem = "the v1 line ends with a bare LF instead of CRLF";
            return std::string_view::npos;
        }
        if (data[i] != '\r') continue;
        if (i + 1 >= kV1MaxLength) break;  // the LF would be byte 108
        if (i + 1 >= data.size()) return std::string_view::npos;
        if (data[i + 1] != '\n') {
            problem = "the v1 line holds a bare CR";
            return std::string_view::npos;
        }
        return i;
    }
    if (data.size() >= kV1MaxLength) {
        problem = "no CRLF within the first " + std::to_string(kV1MaxLength) + " bytes (the longest v1 line)";
    }
    return std::string_view::npos;
}

Result parse_v1(std::string_view data) {
    const std::size_t known = std::min(data.size(), kV1Signature.size());
    if (data.substr(0, known) != kV1Signature.substr(0, known)) {
        return invalid("neither a v1 (\"PROXY \") nor a v2 signature: " + quoted(data, 12));
    }
    if (data.size() < kV1Signature.size()) return incomplete(kV1Signature.size());
    std::string problem;
    const std::size_t end = find_line_end(data, problem);
    if (!problem.empty()) return invalid(problem);
    if (end == std::string_view::npos) return incomplete(data.size() + 1);

    std::string_view line = data.substr(kV1Signature.size(), end - kV1Signature.size());
    const std::string_view protocol = line.substr(0, line.find(' '));
    Result r;
    r.status = Status::complete;
    r.length = end + 2;
    r.header.version = 1;
    if (protocol == "UNKNOWN") {
        // The specification: the receiver ignores the rest of the line.
        r.header.description = "v1 UNKNOWN";
        return r;
    }
    if (protocol != "TCP4" && protocol != "TCP6") {
        return invalid("unknown v1 protocol " + quoted(protocol) + " (TCP4, TCP6 or UNKNOWN)");
    }
    const bool ipv6 = protocol == "TCP6";
    // Exactly one space between fields: split and count.
    std::array<std::string_view, 4> fields;
    std::size_t count = 0;
    line.remove_prefix(protocol.size());
    while (!line.empty()) {
        if (line.front() != ' ' || count == fields.size()) {
            return invalid("a v1 " + std::string(protocol) + " line has source, destination, source port and "
                           "destination port, each after exactly one space");
        }
        line.remove_prefix(1);
        const std::size_t space = line.find(' ');
        fields[count++] = line.substr(0, space);
        line.remove_prefix(fields[count - 1].size());
    }
    if (count != fields.size() || std::any_of(fields.begin(), fields.end(), [](auto f) { return f.empty(); })) {
        return invalid("a v1 " + std::string(protocol) + " line has source, destination, source port and "
                       "destination port, each after exactly one space");
    }
    std::array<unsigned char, 16> source{}, destination{};
    const auto parse_ip = ipv6 ? parse_ipv6 : parse_ipv4;
    if (!parse_ip(fields[0], source)) {
        return invalid("bad " + std::string(protocol) + " source address " + quoted(fields[0], 40));
    }
    if (!parse_ip(fields[1], destination)) {
        return invalid("bad " + std::string(protocol) + " destination address " + quoted(fields[1], 40));
    }
    unsigned source_port = 0, destination_port = 0;
    if (!parse_decimal(fields[2], 5, 65535, source_port)) {
        return invalid("bad source port " + quoted(fields[2]) + " (0-65535, no leading zeroes)");
    }
    if (!parse_decimal(fields[3], 5, 65535, destination_port)) {
        return invalid("bad destination port " + quoted(fields[3]) + " (0-65535, no leading zeroes)");
    }
    r.header.has_addresses = true;
    r.header.ipv6 = ipv6;
    r.header.source_ip = ip_text(ipv6, source.data());
    r.header.destination_ip = ip_text(ipv6, destination.data());
    r.header.source_port = static_cast<std::uint16_t>(source_port);
    r.header.destination_port = static_cast<std::uint16_t>(destination_port);
    r.header.description = "v1 " + std::string(protocol);
    return r;
}

// ---- version 2 ------------------------------------------------------------

std::uint16_t be16(std::string_view data, std::size_t at) {
    return static_cast<std::uint16_t>((static_cast<unsigned char>(data[at]) << 8) |
                                      static_cast<unsigned char>(data[at + 1]));
}

// The TLVs after the addresses must fill the rest of the block exactly; their
// contents (ALPN, authority, CRC32C, SSL, ...) are not used.
std::string check_tlvs(std::string_view tlvs, std::size_t offset) {
    std::size_t at = 0;
    while (at < tlvs.size()) {
        if (tlvs.size() - at < kTlvHeader) {
            return "a TLV header is cut off at byte " + std::to_string(offset + at) + " of the header";
        }
        const std::size_t length = be16(tlvs, at + 1);
        if (length > tlvs.size() - at - kTlvHeader) {
            return "TLV " + hex_byte(static_cast<unsigned char>(tlvs[at])) + " of " + std::to_string(length) +
                   " bytes runs past the header's end";
        }
        at += kTlvHeader + length;
    }
    return {};
}

Result parse_v2(std::string_view data) {
    const std::size_t known = std::min(data.size(), kV2Signature.size());
    if (data.substr(0, known) != kV2Signature.substr(0, known)) {
        return invalid("neither a v1 (\"PROXY \") nor a v2 signature: " + quoted(data, 12));
    }
    if (data.size() < kV2FixedLength) return incomplete(kV2FixedLength);
    const auto version_command = static_cast<unsigned char>(data[12]);
    const unsigned version = version_command >> 4;
    const unsigned command = version_command & 0x0fu;
    if (version != 2) return invalid("version " + std::to_string(version) + " after the v2 signature (only 2 exists)");
    if (command > 1) return invalid("v2 command " + hex_byte(command) + " (0 LOCAL or 1 PROXY)");
    const auto family = static_cast<unsigned char>(data[13]);
    if ((family >> 4) > 3) return invalid("v2 address family " + hex_byte(family >> 4) + " (0 to 3)");
    if ((family & 0x0fu) > 2) return invalid("v2 transport protocol " + hex_byte(family & 0x0fu) + " (0 to 2)");
    const std::size_t total = kV2FixedLength + be16(data, 14);
    // Everything above is known from the fixed part: a bad header is refused
    // before waiting for the rest of it.
    if (data.size() < total) return incomplete(total);

    Result r;
    r.status = Status::complete;
    r.length = total;
    r.header.version = 2;
    const std::string_view block = data.substr(kV2FixedLength, total - kV2FixedLength);
    if (command == 0) {
        // LOCAL (a health check of the proxy's own): the block is skipped unread.
        r.header.description = "v2 LOCAL";
        return r;
    }
    if (family != kTcpOverIpv4 && family != kTcpOverIpv6) {
        // UNSPEC, UDP, UNIX: valid, but no TCP addresses to take; the
        // specification lets the receiver fall back to the real endpoints.
        r.header.description = "v2 PROXY family " + hex_byte(family);
        return r;
    }
    const bool ipv6 = family == kTcpOverIpv6;
    const std::size_t needed = ipv6 ? kIpv6Block : kIpv4Block;
    if (block.size() < needed) {
        return invalid("v2 " + std::string(ipv6 ? "TCP over IPv6" : "TCP over IPv4") + " needs " +
                       std::to_string(needed) + " address bytes; the header has " + std::to_string(block.size()));
    }
    if (auto problem = check_tlvs(block.substr(needed), kV2FixedLength + needed); !problem.empty()) {
        return invalid(problem);
    }
    const std::size_t ip_size = ipv6 ? 16 : 4;
    const auto* bytes = reinterpret_cast<const unsigned char*>(block.data());
    r.header.has_addresses = true;
    r.header.ipv6 = ipv6;
    r.header.source_ip = ip_text(ipv6, bytes);
    r.header.destination_ip = ip_text(ipv6, bytes + ip_size);
    r.header.source_port = be16(block, 2 * ip_size);
    r.header.destination_port = be16(block, 2 * ip_size + 2);
    r.header.description = ipv6 ? "v2 PROXY TCP6" : "v2 PROXY TCP4";
    return r;
}

}  // namespace

Result parse(std::string_view data) {
    if (data.empty()) return incomplete(1);
    // The signatures differ in their first byte, and neither is how an SSH
    // client begins ("SSH-"): one byte tells whether a header is coming.
    if (data.front() == kV1Signature.front()) return parse_v1(data);
    if (data.front() == kV2Signature.front()) return parse_v2(data);
    Result r;
    r.status = Status::not_proxy;
    return r;
}

}  // namespace csh::ssh::proxy_protocol
