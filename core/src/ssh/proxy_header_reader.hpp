// Reads the PROXY protocol header of a connection from a trusted peer
// (ssh.proxyProtocolAllowedCIDRs) before libssh sees the socket, on the event
// loop and without blocking it.
//
// It reads exactly the header's bytes and never one of the SSH stream after
// it: the bytes are looked at with MSG_PEEK, parsed (ssh/proxy_protocol.hpp)
// and only a complete header is taken off the socket, so libssh starts at the
// client's version line. A peer that sends no header keeps its bytes too,
// for ssh.proxyProtocolRequired: false.
//
// Waiting for more bytes uses a wait for readability armed before each peek
// (and a short pause when a wakeup brings nothing new: see on_readable):
// Asio's reactor is edge-triggered and a readiness wait is never tried
// speculatively, so bytes that arrive between a peek and a wait armed after
// it would be noticed only with the next bytes, or never. (A peeking
// async_receive is no help: it completes again at once with the same bytes.)
#pragma once

#include "ssh/proxy_protocol.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace csh::ssh {

class ProxyHeaderReader : public std::enable_shared_from_this<ProxyHeaderReader> {
public:
    enum class Outcome {
        header,     // a complete, valid header was consumed: see header()
        no_header,  // not required, and the peer sent none (nothing consumed)
        missing,    // required, and the peer's first byte starts no header
        invalid,    // see problem()
        timeout,    // not all of a header within the time; see received()
        closed,     // the peer closed (or reset) before sending anything
        cancelled,  // the server is stopping
        failed,     // this server could not watch the socket; see problem()
    };
    // Called once, on the reader's strand.
    using Done = std::function<void(ProxyHeaderReader&, Outcome)>;

    // Takes ownership of `fd`, the accepted socket, until take_fd().
    ProxyHeaderReader(boost::asio::io_context& io, int fd, std::chrono::milliseconds timeout, bool required,
                      Done done);
    ~ProxyHeaderReader();
    ProxyHeaderReader(const ProxyHeaderReader&) = delete;
    ProxyHeaderReader& operator=(const ProxyHeaderReader&) = delete;

    void start();
    // [any-thread] Ends the read with Outcome::cancelled, unless it is over.
    void cancel();

    // The accepted socket, for whoever serves the connection next; the
    // reader no longer closes it.
    int take_fd();
    const proxy_protocol::Header& header() const { return header_; }
    const std::string& problem() const { return problem_; }
    // Bytes the peer had sent when the read ended.
    std::size_t received() const { return peeked_; }

private:
    void arm_and_peek();
    void on_readable();
    void peek();
    void finish(Outcome outcome);

    boost::asio::strand<boost::asio::io_context::executor_type> strand_;
    // A duplicate of the socket, so the reader's registration with the
    // reactor ends with the reader and never touches the fd libssh gets.
    boost::asio::posix::stream_descriptor watch_;
    boost::asio::steady_timer timer_;
    // The pause before looking again when readiness brought no new bytes.
    boost::asio::steady_timer retry_;
    static constexpr std::chrono::milliseconds kRetryPause{10};
    int fd_;
    std::chrono::milliseconds timeout_;
    bool required_;
    Done done_;
    bool finished_ = false;
    bool waiting_ = false;
    std::vector<char> buffer_;
    std::size_t peeked_ = 0;
    // What the parser last asked for: the next peek looks at least this far.
    std::size_t needed_ = proxy_protocol::kFirstPeek;
    proxy_protocol::Header header_;
    std::string problem_;
};

}  // namespace csh::ssh
