// The forward-server's sockets: non-blocking dials (TCP and unix) and
// listeners (TCP and unix). Each function returns a descriptor or -1 with
// `why` telling what failed, for the agent's log.
#pragma once

#include <cstdint>
#include <string>

#include "resolver.hpp"

namespace csh::agent::forward {

// Starts a non-blocking connect; the descriptor becomes writable when it is
// done (then connect_result tells how). `why` on immediate failure.
int start_tcp_connect(const Address& address, std::string& why);
int start_unix_connect(const std::string& path, std::string& why);
// 0 when the pending connect succeeded, else the errno it failed with.
int connect_result(int fd);

struct Listener {
    int fd = -1;
    std::uint16_t port = 0;   // the bound port (TCP)
    std::string unix_path;    // the path to unlink at close (unix)
};

// Listens on host:port (port 0: the kernel picks one; an empty host or "*"
// means every IPv4 address). Only the first address of a name is bound.
bool listen_tcp(const std::string& host, std::uint16_t port, Listener& out, std::string& why);
// Listens on a unix socket created with umask 0177 (OpenSSH's
// StreamLocalBindMask: only the owner may connect). An existing file is not
// replaced.
bool listen_unix(const std::string& path, Listener& out, std::string& why);
// Closes the listener and unlinks its socket file.
void close_listener(Listener& listener);

// "host:port" for messages.
std::string describe(const std::string& host, std::uint64_t port);

}  // namespace csh::agent::forward
