#include "ssh/server.hpp"

#include "config/config.hpp"
#include "host/event_loop.hpp"
#include "host/memory_return.hpp"
#include "log/codes.hpp"
#include "log/logger.hpp"
#include "security/policy.hpp"
#include "config/ssh_algorithms.hpp"
#include "ssh/algorithms.hpp"
#include "ssh/connection.hpp"
#include "ssh/socket_address.hpp"

#include <csh/net/listen_address.hpp>

#include <boost/asio/bind_executor.hpp>

#include <algorithm>
#include <boost/asio/ip/address.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <stdexcept>
#include <utility>

namespace asio = boost::asio;

namespace csh::ssh {

namespace {

std::runtime_error start_failed(const std::string& what) { return std::runtime_error(what); }

asio::ip::tcp::endpoint resolve_listen(asio::io_context& io, const std::string& listen) {
    std::string problem;
    const auto where = net::parse_listen_address(listen, problem);
    if (!where) throw start_failed("ssh.listen " + listen + ": " + problem);
    asio::ip::tcp::resolver resolver(io);
    boost::system::error_code ec;
    auto results = resolver.resolve(where->host, std::to_string(where->port),
                                    asio::ip::tcp::resolver::numeric_service, ec);
    if (ec || results.empty()) throw start_failed("cannot resolve ssh.listen " + listen + ": " + ec.message());
    return results.begin()->endpoint();
}

constexpr const char* kHostKeyAlgorithms =
    "ssh-ed25519,ecdsa-sha2-nistp521,ecdsa-sha2-nistp384,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256";

void set_bind_algorithms(ssh_bind bind, log::Logger& logger, const config::detail::AlgorithmFamily& family,
                         const std::vector<std::string>& configured, const char* key,
                         std::initializer_list<ssh_bind_options_e> options) {
    const auto choice = choose_algorithms(family, configured);
    // The defaults name the post-quantum key exchanges that only newer
    // libssh versions implement: leaving those out is expected, not news.
    const bool defaults = configured == family.defaults;
    for (const auto& name : choice.dropped) {
        if (!defaults) logger.log(codes::SSH_ALGORITHM_UNSUPPORTED, "", {{"key", key}, {"algorithm", name}});
    }
    for (const auto& name : choice.weak_offered) {
        logger.log(codes::SSH_ALGORITHM_WEAK, "", {{"key", key}, {"algorithm", name}});
    }
    if (choice.offered.empty()) throw start_failed(std::string(key) + " names no algorithm this server implements");
    for (auto option : options) {
        if (ssh_bind_options_set(bind, option, choice.offered.c_str()) != SSH_OK) {
            throw start_failed(std::string("the SSH library refused ") + key + ": " + ssh_get_error(bind));
        }
    }
}

StartupLimits startup_limits(const config::SshSettings& ssh) {
    StartupLimits limits;
    limits.begin = static_cast<std::size_t>(ssh.max_startups_begin);
    limits.rate = static_cast<unsigned>(ssh.max_startups_rate);
    limits.full = static_cast<std::size_t>(ssh.max_startups_full);
    limits.per_source = static_cast<std::size_t>(ssh.per_source_max_startups);
    return limits;
}

}  // namespace

Server::Server(ServerContext context, HostKeys host_keys)
    : context_(std::move(context)), acceptor_(context_.loop.context()) {
    context_.on_closed = [this](Connection& c) { on_connection_closed(c); };
    context_.file_policy = std::make_shared<const security::Policy>(context_.config.security());
    startup_gate_ = StartupGate::create(startup_limits(context_.config.ssh()));
    bind_ = ssh_bind_new();
    if (bind_ == nullptr) throw start_failed("the SSH library could not create a server");
    // Never let a system-wide libssh configuration change what the operator configured.
    bool no = false;
    ssh_bind_options_set(bind_, SSH_BIND_OPTIONS_PROCESS_CONFIG, &no);
    for (ssh_key key : host_keys.release()) {
        // The bind takes ownership of the key.
        if (ssh_bind_options_set(bind_, SSH_BIND_OPTIONS_IMPORT_KEY, key) != SSH_OK) {
            ssh_key_free(key);
            throw start_failed(std::string("the SSH library refused a host key: ") + ssh_get_error(bind_));
        }
    }
    const auto& ssh = context_.config.ssh();
    // libssh adds the "SSH-2.0-" prefix itself.
    std::string version = ssh.server_version;
    if (version.rfind("SSH-2.0-", 0) == 0) version = version.substr(8);
    ssh_bind_options_set(bind_, SSH_BIND_OPTIONS_BANNER, version.c_str());
    set_bind_algorithms(bind_, context_.logger, config::detail::ciphers(), ssh.ciphers, "ssh.ciphers",
                        {SSH_BIND_OPTIONS_CIPHERS_C_S, SSH_BIND_OPTIONS_CIPHERS_S_C});
    set_bind_algorithms(bind_, context_.logger, config::detail::key_exchanges(), ssh.kex, "ssh.kex",
                        {SSH_BIND_OPTIONS_KEY_EXCHANGE});
    set_bind_algorithms(bind_, context_.logger, config::detail::macs(), ssh.macs, "ssh.macs",
                        {SSH_BIND_OPTIONS_HMAC_C_S, SSH_BIND_OPTIONS_HMAC_S_C});
    // Host key signatures without SHA-1 (no ssh-rsa, no DSA): an RSA host key
    // signs with rsa-sha2-512 or rsa-sha2-256, which every OpenSSH since 7.2
    // accepts, as ContainerSSH's Go server does.
    if (ssh_bind_options_set(bind_, SSH_BIND_OPTIONS_HOSTKEY_ALGORITHMS, kHostKeyAlgorithms) != SSH_OK) {
        throw start_failed(std::string("the SSH library refused the host key algorithms: ") + ssh_get_error(bind_));
    }
}

Server::~Server() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    if (bind_ != nullptr) ssh_bind_free(bind_);
}

void Server::start() {
    const auto& listen = context_.config.ssh().listen;
    const auto endpoint = resolve_listen(context_.loop.context(), listen);
    boost::system::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (ec) throw start_failed("cannot open a socket for ssh.listen " + listen + ": " + ec.message());
    acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (ec) context_.logger.log(codes::SSH_SOCKET_REUSE_FAILED, ec.message(), {{"listen", listen}});
    acceptor_.bind(endpoint, ec);
    if (ec) throw start_failed("cannot listen on ssh.listen " + listen + ": " + ec.message());
    acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw start_failed("cannot listen on ssh.listen " + listen + ": " + ec.message());
    acceptor_.non_blocking(true, ec);
    const auto bound = acceptor_.local_endpoint();
    context_.logger.log(codes::SSH_AVAILABLE, "",
                        {{"listen", bound.address().to_string() + ":" + std::to_string(bound.port())}});
    accept_next();
}

void Server::accept_next() {
    acceptor_.async_wait(asio::ip::tcp::acceptor::wait_read, [this](const boost::system::error_code& ec) {
        if (ec) return;  // closed on stop()
        accept_ready();
        accept_next();
    });
}

// Takes every pending connection. The acceptor's wait handler runs on one
// thread at a time; connections of trusted proxies go on from their header
// readers' strands.
void Server::accept_ready() {
    for (;;) {
        sockaddr_storage addr{};
        socklen_t len = sizeof addr;
        const int fd = ::accept4(acceptor_.native_handle(), reinterpret_cast<sockaddr*>(&addr), &len,
                                 SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) return;  // EAGAIN, or a transient error: wait for the next readiness
        {
            std::lock_guard lock(mutex_);
            if (stopping_ || draining_) {
                ::close(fd);
                continue;
            }
        }
        if (trusted_proxy(addr)) {
            // Admitted once the header names the client: the per-source
            // limit is the client's, not the proxy's.
            read_proxy_header(fd, addr);
            continue;
        }
        // Refused before libssh or a duplicate descriptor costs anything: a
        // flood of half-open connections holds one descriptor each, briefly.
        StartupSlot slot;
        if (!admit(fd, ip_only(addr), slot)) continue;
        ConnectionOrigin origin;
        origin.remote_address = format_address(addr);
        origin.local_address = local_address_of(fd);
        origin.refuse_proxy_header = !context_.config.ssh().proxy_protocol_allowed.empty();
        serve(fd, std::move(origin), std::move(slot));
    }
}

void Server::serve(int fd, ConnectionOrigin origin, StartupSlot slot) {
    // Interactive traffic: small packets must not wait for delayed ACKs.
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const int watch_fd = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    ssh_session session = watch_fd >= 0 ? ssh_new() : nullptr;
    bool taken = false;
    if (session != nullptr) {
        std::lock_guard lock(bind_mutex_);
        taken = ssh_bind_accept_fd(bind_, session, fd) == SSH_OK;
    }
    if (!taken) {
        context_.logger.log(codes::SSH_HANDSHAKE_FAILED, "the SSH library could not take the connection",
                            {{"remoteAddress", origin.remote_address}});
        if (session != nullptr) ssh_free(session);  // closes fd once libssh took it
        else ::close(fd);
        if (watch_fd >= 0) ::close(watch_fd);
        return;
    }
    auto connection = std::make_shared<Connection>(context_, session, watch_fd, std::move(origin), std::move(slot));
    {
        std::lock_guard lock(mutex_);
        // stop() has taken its list: the Connection's destructor frees the
        // session and both descriptors.
        if (stopping_) return;
        connections_.insert(connection);
        open_at_last_trim_ = std::max(open_at_last_trim_, connections_.size());
    }
    connection->start();
}

bool Server::admit(int fd, const std::string& source, StartupSlot& slot) {
    auto admission = startup_gate_->admit(source);
    if (admission.verdict == StartupGate::Verdict::admitted) {
        slot = std::move(admission.slot);
        return true;
    }
    ::close(fd);  // no banner: a client past the limit learns nothing, as with OpenSSH
    const auto& limits = startup_gate_->limits();
    const std::string open = std::to_string(admission.open);
    if (admission.verdict == StartupGate::Verdict::per_source) {
        context_.logger.log(codes::SSH_PER_SOURCE_MAX_STARTUPS,
                            source + " already has " + std::to_string(admission.from_source) +
                                " unauthenticated connections (ssh.perSourceMaxStartups " +
                                std::to_string(limits.per_source) + ")",
                            {{"remoteAddr", source}, {"unauthenticated", open}});
    } else {
        const bool full = admission.verdict == StartupGate::Verdict::full;
        context_.logger.log(codes::SSH_MAX_STARTUPS,
                            std::string(full ? "refused: " : "dropped at random: ") + open +
                                " connections are not authenticated yet (ssh.maxStartups " +
                                std::to_string(limits.begin) + ":" + std::to_string(limits.rate) + ":" +
                                std::to_string(limits.full) + ")",
                            {{"remoteAddr", source}, {"unauthenticated", open}, {"reason", full ? "full" : "random early drop"}});
    }
    return false;
}

void Server::on_connection_closed(Connection& connection) {
    std::function<void()> drained;
    std::unique_lock lock(mutex_);
    for (auto it = connections_.begin(); it != connections_.end(); ++it) {
        if (it->get() == &connection) {
            // The last reference may be this one: release it outside the strand's call.
            auto keep = *it;
            connections_.erase(it);
            asio::post(context_.loop.context(), [keep] {});
            break;
        }
    }
    // After a burst, glibc keeps the freed heap for later: give it back to
    // the system when the gateway has emptied out, or has lost a large part
    // of its connections since it last did so.
    const size_t open = connections_.size();
    if (open == 0 || open + kTrimAfterClosing <= open_at_last_trim_) {
        open_at_last_trim_ = open;
        asio::post(context_.loop.context(), [] { host::return_free_memory(); });
    }
    if (connections_.empty()) all_closed_.notify_all();
    drained = take_drained_locked();
    lock.unlock();
    if (drained) drained();  // outside the lock: it may call back into the server
}

std::function<void()> Server::take_drained_locked() {
    if (!draining_ || !connections_.empty() || !readers_.empty()) return {};
    return std::exchange(on_drained_, {});
}

size_t Server::open_connections() const {
    std::lock_guard lock(mutex_);
    return connections_.size() + readers_.size();
}

size_t Server::stop_accepting(std::function<void()> on_drained) {
    std::promise<size_t> closed;
    // On the loop, as the acceptor's other uses. Connections the kernel
    // completed before the close would be reset by it: they are taken first,
    // so no client that reached this replica loses its login.
    asio::post(context_.loop.context(), [this, &closed, on_drained = std::move(on_drained)]() mutable {
        accept_ready();
        boost::system::error_code ec;
        acceptor_.close(ec);
        if (ec) context_.logger.log(codes::SSH_LISTEN_CLOSE_FAILED, ec.message());
        std::unique_lock lock(mutex_);
        draining_ = true;
        on_drained_ = std::move(on_drained);
        const size_t open = connections_.size() + readers_.size();
        auto drained = take_drained_locked();
        lock.unlock();
        closed.set_value(open);
        if (drained) drained();
    });
    return closed.get_future().get();
}

size_t Server::stop(std::chrono::milliseconds grace) {
    std::vector<std::shared_ptr<Connection>> open;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        open.assign(connections_.begin(), connections_.end());
        // A header still awaited is not waited for: the proxy's connection closes.
        for (const auto& reader : readers_) reader->cancel();
    }
    asio::post(context_.loop.context(), [this] {
        boost::system::error_code ec;
        acceptor_.close(ec);
        if (ec) context_.logger.log(codes::SSH_LISTEN_CLOSE_FAILED, ec.message());
    });
    for (auto& c : open) c->shutdown();
    open.clear();
    std::unique_lock lock(mutex_);
    all_closed_.wait_for(lock, grace, [this] { return connections_.empty(); });
    for (const auto& c : connections_) {
        context_.logger.log(codes::SSH_BACKEND_SHUTDOWN_TIMEOUT, "", {{"connectionId", c->id()}});
    }
    return connections_.size();
}

}  // namespace csh::ssh
