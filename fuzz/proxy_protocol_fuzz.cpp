// The PROXY protocol header (core/src/ssh/proxy_protocol.cpp) as a trusted
// proxy's connection begins: the input is the first bytes of the connection.
// The accept path peeks a growing prefix and parses it again each time, so
// beyond not crashing the verdicts must hold together: a complete header is
// judged on its own bytes alone and every shorter prefix of it waits for more;
// invalid and not-a-header are final whatever follows; a v1 line is decided
// within 107 bytes; addresses come out as text inet_pton reads back; a
// problem names the peer's bytes printably (it goes into a log line).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <arpa/inet.h>

#include "ssh/proxy_protocol.hpp"

namespace {

using namespace csh::ssh::proxy_protocol;

void require(bool property) {
    if (!property) std::abort();
}

bool reads_back(const std::string& ip, bool ipv6) {
    unsigned char bytes[16];
    return inet_pton(ipv6 ? AF_INET6 : AF_INET, ip.c_str(), bytes) == 1;
}

bool same_header(const Header& a, const Header& b) {
    return a.version == b.version && a.has_addresses == b.has_addresses && a.ipv6 == b.ipv6 &&
           a.source_ip == b.source_ip && a.destination_ip == b.destination_ip && a.source_port == b.source_port &&
           a.destination_port == b.destination_port && a.description == b.description;
}

void check_complete(std::string_view input, const Result& whole) {
    require(whole.length > 0 && whole.length <= input.size());
    const Header& header = whole.header;
    if (header.version == 1) {
        require(whole.length <= kV1MaxLength && input.substr(whole.length - 2, 2) == "\r\n");
    } else {
        require(header.version == 2 && whole.length >= kV2FixedLength);
    }
    if (header.has_addresses) {
        require(reads_back(header.source_ip, header.ipv6) && reads_back(header.destination_ip, header.ipv6));
    } else {
        require(header.source_ip.empty() && header.destination_ip.empty());
    }
    // Nothing after the header was looked at.
    const Result exact = parse(input.substr(0, whole.length));
    require(exact.status == Status::complete && exact.length == whole.length && same_header(exact.header, header));
    // Every shorter prefix waits for more (a header of 64 KiB is checked in part).
    for (std::size_t n = 0; n < whole.length && n < 512; ++n) {
        const Result prefix = parse(input.substr(0, n));
        require(prefix.status == Status::incomplete && prefix.length > n);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const Result whole = parse(input);
    switch (whole.status) {
        case Status::complete:
            check_complete(input, whole);
            break;
        case Status::incomplete:
            require(whole.length > input.size());
            require(input.empty() || input.front() != 'P' || input.size() < kV1MaxLength);
            break;
        case Status::invalid: {
            require(!whole.problem.empty());
            for (char c : whole.problem) require(c >= 0x20 && c < 0x7f);
            require(parse(std::string(input) + "\r\n").status == Status::invalid);
            break;
        }
        case Status::not_proxy:
            require(!input.empty() && parse(input.substr(0, 1)).status == Status::not_proxy);
            break;
    }
    return 0;
}
