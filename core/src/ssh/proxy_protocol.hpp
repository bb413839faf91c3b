// The PROXY protocol header (HAProxy's proxy-protocol.txt, versions 1 and 2)
// that a load balancer puts before the SSH stream to say who its client is.
// Parsing only: bytes in, a verdict out, no I/O, so the same function serves
// the accept path (ssh/proxy_header_reader.cpp), the unit tests and the
// fuzzer (fuzz/proxy_protocol_fuzz.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace csh::ssh::proxy_protocol {

// v1: "PROXY " up to CRLF, at most this many bytes including the CRLF.
inline constexpr std::size_t kV1MaxLength = 107;
// v2: the fixed part (signature, version/command, family, length).
inline constexpr std::size_t kV2FixedLength = 16;
// What the accept path peeks before it knows more; enough for any v1 line
// and the fixed part of v2.
inline constexpr std::size_t kFirstPeek = kV1MaxLength;

enum class Status {
    incomplete,  // a prefix of a header: more bytes are needed (see `needed`)
    complete,    // a whole header of `length` bytes
    invalid,     // a header that breaks the specification (see `problem`)
    not_proxy,   // the first byte starts neither version: the peer sent no header
};

struct Header {
    int version = 0;  // 1 or 2
    // False for v1 UNKNOWN, v2 LOCAL and v2 address families this server
    // does not take addresses from (unspecified, UDP, UNIX): the connection
    // keeps the real peer's address, as the specification says.
    bool has_addresses = false;
    bool ipv6 = false;
    std::string source_ip;  // textual (inet_ntop), without brackets
    std::string destination_ip;
    std::uint16_t source_port = 0;
    std::uint16_t destination_port = 0;
    // For the log line: "v1 TCP4", "v2 PROXY TCP6", "v2 LOCAL", ...
    std::string description;
};

struct Result {
    Status status = Status::incomplete;
    // complete: the header's size, exactly the bytes to consume; the SSH
    // stream starts right after. incomplete: the fewest bytes worth waiting
    // for before calling again.
    std::size_t length = 0;
    Header header;
    std::string problem;  // invalid: what was wrong, for the log line
};

// Parses the start of a connection. `data` may hold bytes past the header
// (the client's SSH version line); they are never looked at beyond `length`.
Result parse(std::string_view data);

}  // namespace csh::ssh::proxy_protocol
