// The listen addresses of ContainerSSH's servers (ssh.listen, health.listen,
// metrics.listen), read one way everywhere: the configuration check, the SSH
// server and the HTTP server all use this parser; and the addresses of the
// servers the backends connect to (the Docker engine, the Kubernetes API).
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

// The address of a server to connect to, as a client's setting writes it
// (Docker's tcp://host[:port], the Kubernetes API server's host[:port]):
// "host", "host:port", "[IPv6]" or "[IPv6]:port". `port` is 0 when none is
// written (the caller applies its default); a written port is 1-65535. On
// failure returns nullopt and sets `problem` to what is wrong; the caller
// adds an example in its own scheme.
std::optional<ListenAddress> parse_server_address(std::string_view text, std::string& problem);

}  // namespace csh::net
