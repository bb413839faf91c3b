// The SSH server: listens on ssh.listen, accepts on the event loop and gives
// every connection its own strand. Stops gracefully: no new connections,
// backends get up to the grace period to clean up.
#pragma once

#include "ssh/host_keys.hpp"
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
    // ssh.maxStartups / ssh.perSourceMaxStartups: false when `fd` was refused (and closed).
    bool admit(int fd, const sockaddr_storage& addr, StartupSlot& slot);

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
};

}  // namespace csh::ssh
