#include "ssh/proxy_header_reader.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace asio = boost::asio;

namespace csh::ssh {

ProxyHeaderReader::ProxyHeaderReader(asio::io_context& io, int fd, std::chrono::milliseconds timeout, bool required,
                                     Done done)
    : strand_(asio::make_strand(io)),
      watch_(strand_),
      timer_(strand_),
      retry_(strand_),
      fd_(fd),
      timeout_(timeout),
      required_(required),
      done_(std::move(done)) {}

ProxyHeaderReader::~ProxyHeaderReader() {
    if (fd_ >= 0) ::close(fd_);
}

int ProxyHeaderReader::take_fd() { return std::exchange(fd_, -1); }

void ProxyHeaderReader::start() {
    asio::dispatch(strand_, [self = shared_from_this()] {
        const int duplicate = ::fcntl(self->fd_, F_DUPFD_CLOEXEC, 0);
        boost::system::error_code ec;
        if (duplicate >= 0) self->watch_.assign(duplicate, ec);
        if (duplicate < 0 || ec) {
            self->problem_ = "the socket could not be watched: " +
                             (duplicate < 0 ? std::string(std::strerror(errno)) : ec.message());
            if (duplicate >= 0) ::close(duplicate);
            self->finish(Outcome::failed);
            return;
        }
        self->timer_.expires_after(self->timeout_);
        self->timer_.async_wait(asio::bind_executor(self->strand_, [self](const boost::system::error_code& error) {
            if (error) return;
            // Nothing at all from a peer that need not send a header: a
            // client that waits for the server's version line before sending
            // its own, served as a direct one.
            self->finish(!self->required_ && self->peeked_ == 0 ? Outcome::no_header : Outcome::timeout);
        }));
        self->arm_and_peek();
    });
}

void ProxyHeaderReader::cancel() {
    asio::post(strand_, [self = shared_from_this()] { self->finish(Outcome::cancelled); });
}

// The wait is armed before the peek (see the header): whatever arrives after
// the peek wakes it.
void ProxyHeaderReader::arm_and_peek() {
    if (finished_) return;
    if (!waiting_) {
        waiting_ = true;
        watch_.async_wait(asio::posix::stream_descriptor::wait_read,
                          asio::bind_executor(strand_, [self = shared_from_this()](const boost::system::error_code& ec) {
                              self->waiting_ = false;
                              if (!ec) self->on_readable();
                          }));
    }
    peek();
}

// Asio re-arms the registration when a wait is queued, so with the peeked
// bytes of an incomplete header still unread the next wait completes at once:
// waiting again right away would spin a loop thread until the rest arrived.
// Without new bytes the socket is looked at again after a pause instead.
void ProxyHeaderReader::on_readable() {
    const std::size_t before = peeked_;
    peek();
    if (finished_) return;
    if (peeked_ > before) {
        arm_and_peek();
        return;
    }
    retry_.expires_after(kRetryPause);
    retry_.async_wait(asio::bind_executor(strand_, [self = shared_from_this()](const boost::system::error_code& ec) {
        if (!ec) self->arm_and_peek();
    }));
}

void ProxyHeaderReader::peek() {
    for (;;) {
        const std::size_t want = std::max(proxy_protocol::kFirstPeek, needed_);
        if (buffer_.size() < want) buffer_.resize(want);
        const ssize_t n = ::recv(fd_, buffer_.data(), want, MSG_PEEK | MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
        if (n <= 0) {
            if (peeked_ == 0) {
                problem_ = n < 0 ? std::strerror(errno) : "end of stream";
                finish(Outcome::closed);
            } else {
                problem_ = "the peer " + std::string(n < 0 ? "reset" : "closed") + " the connection after " +
                           std::to_string(peeked_) + " bytes of an incomplete header";
                finish(Outcome::invalid);
            }
            return;
        }
        peeked_ = static_cast<std::size_t>(n);
        const auto result = proxy_protocol::parse({buffer_.data(), peeked_});
        switch (result.status) {
            case proxy_protocol::Status::not_proxy:
                finish(required_ ? Outcome::missing : Outcome::no_header);
                return;
            case proxy_protocol::Status::invalid:
                problem_ = result.problem;
                finish(Outcome::invalid);
                return;
            case proxy_protocol::Status::incomplete:
                needed_ = result.length;
                // A full buffer may not be all that has arrived: a v2 header
                // longer than the first peek is looked at again at once, as
                // no new readiness would come for bytes already there.
                if (peeked_ == want && needed_ > want) continue;
                return;
            case proxy_protocol::Status::complete: {
                // The peeked bytes are in the socket's buffer: this takes
                // exactly them, and the SSH stream starts after.
                const ssize_t taken = ::recv(fd_, buffer_.data(), result.length, MSG_DONTWAIT);
                if (taken != static_cast<ssize_t>(result.length)) {
                    problem_ = "the header could not be taken off the socket: " +
                               std::string(taken < 0 ? std::strerror(errno) : "short read");
                    finish(Outcome::failed);
                    return;
                }
                header_ = result.header;
                finish(Outcome::header);
                return;
            }
        }
    }
}

void ProxyHeaderReader::finish(Outcome outcome) {
    if (finished_) return;
    finished_ = true;
    timer_.cancel();
    retry_.cancel();
    boost::system::error_code ignored;
    watch_.close(ignored);  // ends the pending wait; the duplicate goes with it
    buffer_ = {};
    auto done = std::move(done_);
    done_ = nullptr;
    if (done) done(*this, outcome);
}

}  // namespace csh::ssh
