// Socket addresses from the names forwarding requests carry: IP literals
// and "localhost" only (resolving a name would block the loop, and the
// tests need none), and for a listener "" or "*" (every interface).
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>

namespace backend_local {

// A target to connect to.
bool socket_address(const std::string& host, uint32_t port, sockaddr_storage& out, socklen_t& length);
// An address to listen at, as tcpip-forward names it.
bool bind_address(const std::string& host, uint32_t port, sockaddr_storage& out, socklen_t& length);
// The peer of a connected socket as text and port.
std::string peer_address(int fd, uint32_t& port);

}  // namespace backend_local
