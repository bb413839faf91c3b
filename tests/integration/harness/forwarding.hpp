// What the forwarding suites share: loopback sockets on the test's side, a
// round trip through a forwarded port, and `ssh -L` running in the
// background until the test ends.
#pragma once

#include "harness/gateway.hpp"
#include "process.hpp"

#include <string>
#include <vector>

namespace csh::test {

// A TCP listener on 127.0.0.1 at a free port (written to `port`).
int listen_loopback(int& port);
// A loopback port nobody listens on (bound, then released).
int closed_port();
// A connected socket to 127.0.0.1:port, or -1.
int connect_loopback(int port);
// Sends `data` through a connection to `port` (a writer thread, so neither
// side's buffers fill up), half-closes, and returns everything read until EOF.
std::string round_trip(int port, const std::string& data);

// `ssh -L local:<target>` in the background (with `command` run in the
// session, or -N without one), ready once the local port accepts
// connections (the target behind it may still be starting).
struct LocalForward {
    LocalForward(const Gateway& gateway, const SshLogin& login, const std::string& target,
                 const std::vector<std::string>& command = {});
    int local_port;
    Child client;
    bool ready = false;
};

}  // namespace csh::test
