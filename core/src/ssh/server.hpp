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
    // Stops accepting, closes every connection (backends clean up) and waits
    // up to `grace`. Returns the number of connections still open then.
    size_t stop(std::chrono::milliseconds grace);

private:
    void accept_next();
    void accept_ready();
    void on_connection_closed(Connection& connection);
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
    std::shared_ptr<StartupGate> startup_gate_;
    // ssh_bind_accept_fd copies the bind's keys and settings into a session:
    // one at a time, as proxied connections reach it from their readers' strands.
    std::mutex bind_mutex_;
    // Connections of trusted proxies whose header is being read (under mutex_).
    std::set<std::shared_ptr<ProxyHeaderReader>> readers_;
};

}  // namespace csh::ssh
