#include "config/address_range.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>

namespace csh::config {

namespace {

constexpr unsigned char kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool bits_match(const unsigned char* a, const unsigned char* b, unsigned bits) {
    const unsigned whole = bits / 8;
    if (!std::equal(a, a + whole, b)) return false;
    const unsigned rest = bits % 8;
    if (rest == 0) return true;
    const auto mask = static_cast<unsigned char>(0xff00u >> rest);
    return (a[whole] & mask) == (b[whole] & mask);
}

}  // namespace

bool AddressRange::contains(const unsigned char* address, std::size_t size) const {
    if (size == 16 && !ipv6 && std::equal(kMappedPrefix, kMappedPrefix + 12, address)) {
        address += 12;
        size = 4;
    }
    if (size != (ipv6 ? 16u : 4u)) return false;
    return bits_match(address, network.data(), prefix);
}

std::optional<AddressRange> parse_address_range(std::string_view text, std::string& problem) {
    AddressRange range;
    range.text = std::string(text);
    const std::size_t slash = text.find('/');
    const std::string address(text.substr(0, slash));
    if (inet_pton(AF_INET, address.c_str(), range.network.data()) == 1) {
        range.ipv6 = false;
    } else if (address.find('%') == std::string::npos &&
               inet_pton(AF_INET6, address.c_str(), range.network.data()) == 1) {
        range.ipv6 = true;
    } else {
        problem = "\"" + address + "\" is not an IPv4 or IPv6 address (write an address or a CIDR range such as "
                  "10.0.0.0/8 or fd00::/8)";
        return std::nullopt;
    }
    const unsigned max_bits = range.ipv6 ? 128 : 32;
    range.prefix = max_bits;
    if (slash != std::string_view::npos) {
        const std::string_view bits = text.substr(slash + 1);
        const bool digits = !bits.empty() && bits.size() <= 3 &&
                            std::all_of(bits.begin(), bits.end(), [](char c) { return c >= '0' && c <= '9'; });
        unsigned value = 0;
        if (digits) {
            for (char c : bits) value = value * 10 + static_cast<unsigned>(c - '0');
        }
        if (!digits || (bits.size() > 1 && bits.front() == '0') || value > max_bits) {
            problem = "the prefix length after \"/\" in \"" + range.text + "\" must be 0 to " +
                      std::to_string(max_bits);
            return std::nullopt;
        }
        range.prefix = value;
    }
    // Clear the host bits, so a match compares the network only.
    for (unsigned bit = range.prefix; bit < max_bits; ++bit) {
        range.network[bit / 8] &= static_cast<unsigned char>(~(0x80u >> (bit % 8)));
    }
    return range;
}

}  // namespace csh::config
