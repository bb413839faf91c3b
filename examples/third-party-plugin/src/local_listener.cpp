#include "local_listener.hpp"

#include "local_forward.hpp"
#include "messages.hpp"
#include "socket_address.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace backend_local {

namespace {
uint32_t bound_port_of(int fd) {
    sockaddr_storage local{};
    socklen_t length = sizeof local;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0) return 0;
    if (local.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&local)->sin6_port);
    return ntohs(reinterpret_cast<const sockaddr_in*>(&local)->sin_port);
}
}  // namespace

void LocalListener::start(std::shared_ptr<LocalListener> self, csh::sdk::ListenCompletion done) {
    const std::string where = self->params_.address + ":" + std::to_string(self->params_.port);
    auto fail = [&](const std::string& cause) {
        self->host().log(codes::BACKEND_LOCAL_LISTEN_FAILED, "cannot listen", {{"address", where}, {"cause", cause}},
                         self->connection_);
        done.fail("cannot listen at " + where + ": " + cause);
    };
    sockaddr_storage address{};
    socklen_t length = 0;
    if (self->params_.port > 65535 || !bind_address(self->params_.address, self->params_.port, address, length)) {
        fail("the address is not an IP address, localhost or empty");
        return;
    }
    self->fd_.reset(::socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!self->fd_.valid()) {
        fail(std::string("socket: ") + std::strerror(errno));
        return;
    }
    const int one = 1;
    ::setsockopt(self->fd_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(self->fd_.get(), reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(self->fd_.get(), SOMAXCONN) != 0) {
        fail(std::strerror(errno));
        return;
    }
    const uint32_t bound = bound_port_of(self->fd_.get());
    LocalListener* raw = self.get();
    // The watch does not hold the listener: the host does, until stop().
    self->watch_ = self->host().fd_watch_start(self->params_.strand, self->fd_.get(), CSH_FD_READ,
                                               [raw](uint32_t) { raw->accept_all(); });
    self->host().log(codes::BACKEND_LOCAL_LISTENING, "listening",
                     {{"address", self->params_.address + ":" + std::to_string(bound)}}, self->connection_);
    done.success(std::move(self), bound);
}

void LocalListener::accept_all() {
    for (;;) {
        const int fd = ::accept4(fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;  // EAGAIN, or an error the next readiness reports again
        offer(UniqueFd(fd));
    }
}

void LocalListener::offer(UniqueFd socket) {
    csh::sdk::ForwardParams params;
    params.kind = CSH_FORWARD_TCPIP;
    params.originator_address = peer_address(socket.get(), params.originator_port);
    params.strand = params_.strand;
    auto forward = LocalForward::accepted(host(), params, connection_, std::move(socket));
    const csh::sdk::Host log_host = host();
    csh_connection* connection = connection_;
    listener_host().open_to_client(params, forward, [forward, log_host, connection](csh_status status,
                                                                                    std::string_view reason) {
        if (status == CSH_OK) {
            forward->relay();
            return;
        }
        log_host.log(codes::BACKEND_LOCAL_FORWARD_FAILED, "the client did not take the connection",
                     {{"cause", std::string(reason)}}, connection);
        forward->close();
    });
}

void LocalListener::stop(csh::sdk::StatusCompletion done) {
    watch_.stop();
    fd_.reset();
    done.ok();
}

}  // namespace backend_local
