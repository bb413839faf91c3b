// Client addresses as text, turned into the socket address a MaxMind DB is
// searched with. Only numeric addresses are accepted: a host name must never
// make a metrics label wait for a resolver.
#pragma once

#include <sys/socket.h>

#include <optional>
#include <string_view>

namespace csh::geoip {

// An AF_INET or AF_INET6 address for IPv4 ("192.0.2.7") or IPv6 ("::1")
// text; an IPv4-mapped IPv6 address ("::ffff:192.0.2.7", what a dual-stack
// listener reports for IPv4 clients) comes back as the IPv4 address, so it
// is found in databases that do not alias ::ffff:0:0/96. Anything else
// (names, ports, brackets, zone ids) is nullopt.
std::optional<sockaddr_storage> parse_numeric_address(std::string_view text);

}  // namespace csh::geoip
