#include "local_forward.hpp"

#include "messages.hpp"
#include "socket_address.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace backend_local {

namespace {
constexpr size_t kReadChunk = 32 * 1024;
}  // namespace

void LocalForward::dial(std::shared_ptr<LocalForward> self, csh::sdk::ForwardOpenCompletion done) {
    self->dialing_.emplace(std::move(done));
    sockaddr_storage address{};
    socklen_t length = 0;
    if (self->params_.target_port == 0 || self->params_.target_port > 65535 ||
        !socket_address(self->params_.target, self->params_.target_port, address, length)) {
        self->fail_dial("the target is not an IP address or localhost");
        return;
    }
    self->fd_.reset(::socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!self->fd_.valid()) {
        self->fail_dial(std::string("socket: ") + std::strerror(errno));
        return;
    }
    if (::connect(self->fd_.get(), reinterpret_cast<sockaddr*>(&address), length) != 0 && errno != EINPROGRESS) {
        self->fail_dial(std::string("connect: ") + std::strerror(errno));
        return;
    }
    // The watch holds the channel until the connect ends; then it is
    // replaced by one that does not (the host holds it from then on).
    self->watch_ = self->host().fd_watch_start(self->params_.strand, self->fd_.get(), CSH_FD_WRITE,
                                               [self](uint32_t) {
        int error = 0;
        socklen_t size = sizeof error;
        if (::getsockopt(self->fd_.get(), SOL_SOCKET, SO_ERROR, &error, &size) != 0) error = errno;
        if (error != 0) {
            self->fail_dial(std::string("connect: ") + std::strerror(error));
            return;
        }
        // The host watches an fd once: the dial's watch goes first. Its
        // callback (this lambda) is freed when it returns.
        self->watch_.stop();
        self->relay();
        self->host().log(codes::BACKEND_LOCAL_FORWARD_CONNECTED, "connected",
                         {{"target", self->params_.target + ":" + std::to_string(self->params_.target_port)}},
                         self->connection_);
        auto done = std::move(*self->dialing_);
        self->dialing_.reset();
        done.success(self);
    });
}

std::shared_ptr<LocalForward> LocalForward::accepted(csh::sdk::Host host, const csh::sdk::ForwardParams& params,
                                                   csh_connection* connection, UniqueFd socket) {
    auto forward = std::make_shared<LocalForward>(std::move(host), params, connection);
    forward->fd_ = std::move(socket);
    return forward;
}

void LocalForward::relay() {
    // The watch does not hold the channel: the host does, until close().
    LocalForward* raw = this;
    watch_ = host().fd_watch_start(params_.strand, fd_.get(), CSH_FD_READ, [raw](uint32_t ready) { raw->on_ready(ready); });
}

void LocalForward::fail_dial(const std::string& cause) {
    watch_.stop();
    fd_.reset();
    host().log(codes::BACKEND_LOCAL_FORWARD_FAILED, "cannot connect",
               {{"target", params_.target + ":" + std::to_string(params_.target_port)}, {"cause", cause}},
               connection_);
    auto done = std::move(*dialing_);
    dialing_.reset();
    done.fail("cannot connect to " + params_.target + ":" + std::to_string(params_.target_port) + ": " + cause);
}

// ---- client -> target -------------------------------------------------------

size_t LocalForward::data(std::string_view bytes) {
    if (closed_ || !fd_.valid() || client_eof_) return bytes.size();  // nobody to take them
    if (want_write_) return 0;
    const ssize_t n = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    const size_t taken = n > 0 ? static_cast<size_t>(n) : 0;
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
        forward_host().closed();  // the target is gone
        return bytes.size();
    }
    if (taken < bytes.size()) {
        want_write_ = true;  // data_ready once the socket drains
        refresh();
    }
    return taken;
}

void LocalForward::eof() {
    client_eof_ = true;
    if (fd_.valid()) ::shutdown(fd_.get(), SHUT_WR);
    maybe_finish();
}

// ---- target -> client -------------------------------------------------------

void LocalForward::on_ready(uint32_t ready) {
    if ((ready & (CSH_FD_WRITE | CSH_FD_ERROR)) != 0 && want_write_) {
        want_write_ = false;
        refresh();
        forward_host().data_ready();
    }
    if (closed_) return;
    if ((ready & (CSH_FD_READ | CSH_FD_ERROR)) != 0 && reading_ && held_.empty()) read_target();
}

void LocalForward::read_target() {
    char buffer[kReadChunk];
    const ssize_t n = ::recv(fd_.get(), buffer, sizeof buffer, 0);
    if (n > 0) {
        const size_t taken = forward_host().write(std::string_view(buffer, static_cast<size_t>(n)));
        if (taken < static_cast<size_t>(n)) {
            held_.assign(buffer + taken, static_cast<size_t>(n) - taken);  // read again once it is taken
            refresh();
        }
        return;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    target_ended();
}

void LocalForward::output_ready() {
    push_held();
}

void LocalForward::push_held() {
    if (held_.empty() || closed_) return;
    const size_t taken = forward_host().write(held_);
    held_.erase(0, taken);
    if (!held_.empty()) return;
    if (!reading_) {
        target_ended();
        return;
    }
    refresh();
}

void LocalForward::target_ended() {
    reading_ = false;
    refresh();
    if (!held_.empty()) return;  // EOF after the held bytes
    if (!eof_sent_) {
        eof_sent_ = true;
        forward_host().eof();
    }
    maybe_finish();
}

// Both directions ended: the channel closes (as OpenSSH's sshd does).
void LocalForward::maybe_finish() {
    if (client_eof_ && eof_sent_ && !closed_) forward_host().closed();
}

void LocalForward::refresh() {
    const uint32_t events = (reading_ && held_.empty() ? CSH_FD_READ : 0u) | (want_write_ ? CSH_FD_WRITE : 0u);
    watch_.update(events);
}

void LocalForward::close() {
    closed_ = true;
    watch_.stop();
    fd_.reset();
    held_.clear();
}

}  // namespace backend_local
