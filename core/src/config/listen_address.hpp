// Listen addresses as the core's servers (SSH, health) accept them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace csh::config::detail {

// "host:port" with port 0-65535 (0: any free port) and host an IPv4
// address, an IPv6 address in brackets ("[::]:2222") or a host name.
// nullopt when valid, otherwise what is wrong, for an error message.
std::optional<std::string> listen_address_problem(std::string_view address);

}  // namespace csh::config::detail
