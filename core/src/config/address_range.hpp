// An IP address or CIDR range as the configuration writes it ("10.0.0.0/8",
// "192.0.2.7", "fd00::/8"): ssh.proxyProtocolAllowedCIDRs, the peers whose
// PROXY protocol headers are believed.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace csh::config {

struct AddressRange {
    bool ipv6 = false;
    // The network, host bits cleared, in network byte order; IPv4 in the first four.
    std::array<unsigned char, 16> network{};
    unsigned prefix = 0;  // leading bits that must match
    std::string text;     // as written, for messages

    // Whether an address (4 bytes of IPv4 or 16 of IPv6, network order) is
    // inside. An IPv4-mapped IPv6 address (::ffff:a.b.c.d, how a listener on
    // [::] sees an IPv4 peer) is matched as the IPv4 address it carries.
    bool contains(const unsigned char* address, std::size_t size) const;
};

// The range `text` names: an address alone (all its bits) or address/bits.
// As Go's net.ParseCIDR, host bits past the prefix are allowed and ignored.
// Empty with `problem` set when it is neither.
std::optional<AddressRange> parse_address_range(std::string_view text, std::string& problem);

}  // namespace csh::config
