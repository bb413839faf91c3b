// TCP on loopback for the suites: a port nobody listens on, and a connection
// from a chosen source address (127.0.0.2, 127.0.0.5, ...) so a test can play
// a client or a proxy that the gateway tells apart by address.
#pragma once

#include <chrono>
#include <string>

namespace csh::test {

// A port on 127.0.0.1 that was free a moment ago (bound, then released).
// Another process may take it before the caller binds it; the suites use it
// where an address must be known before the program starts (a fixed
// ssh.listen for a stable instance id, a port for HAProxy or a registry).
int free_loopback_port();

// A TCP connection to 127.0.0.1:`port` from `source` (a loopback address);
// the descriptor, or an exception saying why not.
int connect_from(const std::string& source, int port);

// Reads until the peer closes (true) or `timeout` passes (false), appending
// what was read to `read` when given.
bool closed_within(int fd, std::chrono::milliseconds timeout, std::string* read = nullptr);

}  // namespace csh::test
