// The listen addresses of ContainerSSH's servers (ssh.listen, health.listen,
// metrics.listen), read one way everywhere: the configuration check, the SSH
// server and the HTTP server all use this parser.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace csh::net {

struct ListenAddress {
    std::string host;  // an IP address (IPv6 without brackets) or a host name
    std::uint16_t port = 0;  // 0: any free port
};

// "host:port" with host an IPv4 address or a host name, or "[IPv6]:port";
// port 0-65535. On failure returns nullopt and sets `problem` to what is
// wrong, for an error message.
std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string& problem);

}  // namespace csh::net
