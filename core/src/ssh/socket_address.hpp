// Socket addresses as the gateway writes them: "ip:port" and "[ip6]:port"
// (remoteAddress, SSH_CLIENT), the IP alone (remoteAddr, per-source limits).
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>

namespace csh::ssh {

std::string format_address(const sockaddr_storage& address);
std::string format_address(const std::string& ip, std::uint16_t port, bool ipv6);
std::string ip_only(const sockaddr_storage& address);
// The local address of a connected socket; "0.0.0.0:0" when unknown.
std::string local_address_of(int fd);

}  // namespace csh::ssh
