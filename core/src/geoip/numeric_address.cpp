#include "geoip/numeric_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>
#include <string>

namespace csh::geoip {
namespace {

sockaddr_storage ipv4_address(const in_addr& address) {
    sockaddr_storage storage{};
    auto* ipv4 = reinterpret_cast<sockaddr_in*>(&storage);
    ipv4->sin_family = AF_INET;
    ipv4->sin_addr = address;
    return storage;
}

}  // namespace

std::optional<sockaddr_storage> parse_numeric_address(std::string_view text) {
    // inet_pton reads up to a NUL: "127.0.0.1\0junk" must not pass as 127.0.0.1.
    if (text.find('\0') != std::string_view::npos) {
        return std::nullopt;
    }
    const std::string terminated(text);

    in_addr ipv4{};
    if (inet_pton(AF_INET, terminated.c_str(), &ipv4) == 1) {
        return ipv4_address(ipv4);
    }

    in6_addr ipv6{};
    if (inet_pton(AF_INET6, terminated.c_str(), &ipv6) != 1) {
        return std::nullopt;
    }
    if (IN6_IS_ADDR_V4MAPPED(&ipv6)) {
        in_addr mapped{};
        std::memcpy(&mapped, &ipv6.s6_addr[12], sizeof mapped);
        return ipv4_address(mapped);
    }
    sockaddr_storage storage{};
    auto* address = reinterpret_cast<sockaddr_in6*>(&storage);
    address->sin6_family = AF_INET6;
    address->sin6_addr = ipv6;
    return storage;
}

}  // namespace csh::geoip
