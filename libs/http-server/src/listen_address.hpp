// The listen setting of ContainerSSH's HTTP server block, taken apart.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace csh::http::detail {

struct ListenAddress {
    std::string host;  // an IP address or a name; IPv6 without brackets
    std::uint16_t port = 0;
};

// "HOST:PORT" or "[IPv6]:PORT"; ":PORT" (Go's spelling for every interface)
// means 0.0.0.0. nullopt when the text is not of that form or the port is
// not 0-65535.
std::optional<ListenAddress> parse_listen(std::string_view text);

}  // namespace csh::http::detail
