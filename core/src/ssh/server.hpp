// The SSH server: listens on ssh.listen, accepts on the event loop and gives
// every connection its own strand. Stops gracefully: no new connections,
// backends get up to the grace period to clean up.
#pragma once

#include "ssh/connection_origin.hpp"
#include "ssh/host_keys.hpp"
#include "ssh/proxy_header_reader.hpp"
#include "ssh/server_context.hpp"
#include "ssh/startup_gate.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <libssh/server.h>

#include <sys/socket.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace csh::ssh {

class Connection;

class Server {
public:
    Server(ServerContext context, HostKeys host_keys);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds and starts accepting. Throws std::runtime_error (SSH_START_FAILED) naming the address.
    void start();
    // The drain after SIGTERM: accepts what already waits in the listen
    // backlog, then closes the listener, so a load balancer's next connect
    // fails and goes to another replica while the connections already here
    // (and proxied ones whose header is still being read) carry on. Returns
    // how many are open; `on_drained` runs once, on a loop thread, when the
    // last of them has ended (at once when none is open). Not on the loop.
    size_t stop_accepting(std::function<void()> on_drained);
    // Connections open (or reading their PROXY header) now. [any-thread]
    size_t open_connections() const;
    // Stops accepting, closes every connection (backends clean up) and waits
    // up to `grace`. Returns the number of connections still open then.
    size_t stop(std::chrono::milliseconds grace);

private:
    void accept_next();
    void accept_ready();
    void on_connection_closed(Connection& connection);
    // Under mutex_: while draining, when nothing is open any more, takes
    // on_drained_ for the caller to run outside the lock.
    std::function<void()> take_drained_locked();
    // ssh.maxStartups / ssh.perSourceMaxStartups for a client at `source`
    // (an IP address): false when `fd` was refused (and closed).
    bool admit(int fd, const std::string& source, StartupSlot& slot);
    // Hands the accepted socket to libssh and starts its Connection. [any-thread]
    void serve(int fd, ConnectionOrigin origin, StartupSlot slot);
    // ssh.proxyProtocolAllowedCIDRs (server_proxy.cpp): whether the peer is a
    // trusted proxy; reading its header; what the reader found.
    bool trusted_proxy(const sockaddr_storage& peer) const;
    void read_proxy_header(int fd, const sockaddr_storage& peer);
    void proxy_header_read(ProxyHeaderReader& reader, ProxyHeaderReader::Outcome outcome,
                           const sockaddr_storage& peer);
    void proxied_connection(ProxyHeaderReader& reader, ProxyHeaderReader::Outcome outcome,
                            const sockaddr_storage& peer);

    ServerContext context_;
    ssh_bind bind_ = nullptr;
    boost::asio::ip::tcp::acceptor acceptor_;
    mutable std::mutex mutex_;
    std::condition_variable all_closed_;
    std::set<std::shared_ptr<Connection>> connections_;
    // The most connections open since freed memory was last returned; see
    // on_connection_closed.
    size_t open_at_last_trim_ = 0;
    static constexpr size_t kTrimAfterClosing = 1024;
    bool stopping_ = false;
    // stop_accepting() was called: accepted sockets are closed, and
    // on_drained_ runs (once, then emptied) when the last connection ends.
    bool draining_ = false;
    std::function<void()> on_drained_;
    std::shared_ptr<StartupGate> startup_gate_;
    // ssh_bind_accept_fd copies the bind's keys and settings into a session:
    // one at a time, as proxied connections reach it from their readers' strands.
    std::mutex bind_mutex_;
    // Connections of trusted proxies whose header is being read (under mutex_).
    std::set<std::shared_ptr<ProxyHeaderReader>> readers_;
};

}  // namespace csh::ssh
