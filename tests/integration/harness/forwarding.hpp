// What the forwarding suites share: loopback sockets on the test's side, a
// round trip through a forwarded port, and `ssh -L` or `ssh -R` running in
// the background until the test ends.
#pragma once

#include "harness/gateway.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

#include <atomic>
#include <filesystem>
#include <thread>
#include <string>
#include <vector>

namespace csh::test {

// A TCP listener on 127.0.0.1 at a free port (written to `port`).
int listen_loopback(int& port);
// A loopback port nobody listens on (bound, then released).
int closed_port();
// A connected socket to 127.0.0.1:port, or -1.
int connect_loopback(int port);
// True when 127.0.0.1:port accepts a connection (closed again at once).
bool accepts(int port);
// Sends `data` through a connection to `port` (a writer thread, so neither
// side's buffers fill up), half-closes, and returns everything read until EOF.
std::string round_trip(int port, const std::string& data);

// A TCP echo server on loopback: one thread per connection, each echoes
// until EOF and then closes, as a target in a container would.
class EchoServer {
public:
    EchoServer();
    ~EchoServer();
    EchoServer(const EchoServer&) = delete;
    EchoServer& operator=(const EchoServer&) = delete;
    int port() const { return port_; }
    int accepted() const { return accepted_; }

private:
    int port_ = 0;
    int fd_;
    std::atomic<int> accepted_{0};
    std::thread acceptor_;
    std::vector<std::thread> workers_;
};

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

// `ssh -N -R 127.0.0.1:<remote_port>:127.0.0.1:<target_port>` in the
// background (with ExitOnForwardFailure and `options` first), its stderr in
// a file: with remote_port 0 the client prints the port it was given there.
// Ready once the remote port (the allocated one for 0) accepts connections.
struct RemoteForward {
    RemoteForward(const Gateway& gateway, const SshLogin& login, int remote_port, int target_port,
                  const std::vector<std::string>& options = {});
    ~RemoteForward();
    std::string stderr_text() const;
    int port;  // the remote port; for 0 the allocated one, once known
    std::filesystem::path stderr_file;
    Child client;
    bool ready = false;
};

// An ssh-agent on the test's side holding a fresh key (`forwarded` in
// `dir`), for ssh -A: `socket` goes in the client's SSH_AUTH_SOCK and
// `fingerprint` is what ssh-add -l prints for the key. Throws when the
// agent or the key cannot be set up.
struct ClientAgent {
    ClientAgent();
    TempDir dir;
    std::string socket;
    Child agent;
    std::string fingerprint;
};

// OpenSSH's sshd on 127.0.0.1 at a free port, for logins *from* a test's
// container: it accepts only the keys in `authorized_keys` (public-key
// authentication, no passwords), for the user running the tests. Its log
// (LogLevel VERBOSE) is in `log_file`. Throws when it does not listen.
struct TestSshd {
    explicit TestSshd(const std::filesystem::path& authorized_keys);
    std::string log() const;
    TempDir dir;
    int port;
    std::filesystem::path log_file;
    Child server;
};

}  // namespace csh::test
