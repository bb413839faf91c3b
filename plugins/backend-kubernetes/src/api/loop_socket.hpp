// The lowest layer under Boost.Beast's WebSocket stream: an Asio AsyncStream
// that does no I/O itself. Beast's reads and writes are parked here, and the
// owner (LoopWebSocket) services them from our non-blocking ByteStream when
// the host's fd watch fires: a parked read gets the socket's bytes written
// straight into Beast's buffer, a parked write is sent straight from Beast's
// buffer. Nothing is copied on the way and nothing is buffered: a read is
// only attempted while Beast waits for bytes, so a reader that stops asking
// stops the socket (back-pressure reaches the server through TCP), and a
// write completes only once the socket took its bytes.
//
// Completions are posted to a private io_context that the owner poll()s on
// its strand, so Beast runs synchronously on the caller's strand with no
// thread. At most one read and one write are parked, as Beast guarantees
// (one reader, one writer at a time).
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/role.hpp>

#include <cstddef>
#include <memory>
#include <utility>

namespace backend_kubernetes::api {

namespace net = boost::asio;
using boost::beast::error_code;

class LoopSocket {
public:
    using executor_type = net::io_context::executor_type;

    explicit LoopSocket(net::io_context& io) : io_(&io) {}
    LoopSocket(LoopSocket&&) = default;
    LoopSocket& operator=(LoopSocket&&) = default;

    executor_type get_executor() noexcept { return io_->get_executor(); }

    template <class MutableBufferSequence, class ReadHandler>
    BOOST_ASIO_INITFN_RESULT_TYPE(ReadHandler, void(error_code, std::size_t))
    async_read_some(const MutableBufferSequence& buffers, ReadHandler&& handler) {
        return net::async_initiate<ReadHandler, void(error_code, std::size_t)>(
            [this](auto&& h, const MutableBufferSequence& b) {
                park(read_, first_buffer<net::mutable_buffer>(b), std::forward<decltype(h)>(h));
            },
            handler, buffers);
    }

    template <class ConstBufferSequence, class WriteHandler>
    BOOST_ASIO_INITFN_RESULT_TYPE(WriteHandler, void(error_code, std::size_t))
    async_write_some(const ConstBufferSequence& buffers, WriteHandler&& handler) {
        return net::async_initiate<WriteHandler, void(error_code, std::size_t)>(
            [this](auto&& h, const ConstBufferSequence& b) {
                park(write_, first_buffer<net::const_buffer>(b), std::forward<decltype(h)>(h));
            },
            handler, buffers);
    }

    // ---- for the owner, on its strand ----
    bool read_waiting() const { return read_.handler != nullptr; }
    net::mutable_buffer read_buffer() const { return read_.buffer; }
    // Completes the parked read (posted: runs on the next poll()).
    void complete_read(error_code ec, std::size_t n) { complete(read_, ec, n); }

    bool write_waiting() const { return write_.handler != nullptr; }
    net::const_buffer write_buffer() const { return write_.buffer; }
    void complete_write(error_code ec, std::size_t n) { complete(write_, ec, n); }

    // Beast's teardown after the close handshake (see async_teardown below):
    // parked until the owner saw the server's end of the stream.
    template <class TeardownHandler>
    void park_teardown(TeardownHandler&& handler) {
        using Decayed = std::decay_t<TeardownHandler>;
        teardown_ = std::make_unique<HandlerOf<TeardownOnly<Decayed>>>(
            TeardownOnly<Decayed>{Decayed(std::forward<TeardownHandler>(handler))});
    }
    bool teardown_waiting() const { return teardown_ != nullptr; }
    void complete_teardown(error_code ec) {
        closed_ = true;
        std::unique_ptr<Handler> handler = std::move(teardown_);
        if (handler) handler->post(get_executor(), ec, 0);
    }

    // Beast tore the connection down (after a close handshake or a failure).
    void mark_closed() { closed_ = true; }
    bool closed() const { return closed_; }

    // Destroys parked operations without running them. Each holds Beast's
    // stream state alive (a shared pointer inside the composed operation), and
    // that state holds this socket: a cycle, broken here before the stream
    // and its io_context go.
    void drop_parked() {
        read_.handler.reset();
        write_.handler.reset();
        teardown_.reset();
    }

private:
    // A parked completion handler, type-erased; move-only like Asio handlers.
    struct Handler {
        virtual ~Handler() = default;
        virtual void post(executor_type executor, error_code ec, std::size_t n) = 0;
    };
    template <class H>
    struct HandlerOf final : Handler {
        explicit HandlerOf(H&& h) : handler(std::move(h)) {}
        void post(executor_type executor, error_code ec, std::size_t n) override {
            // bind_front_handler keeps the handler's associated executor and
            // allocator, as Beast's composed operations expect.
            net::post(executor, boost::beast::bind_front_handler(std::move(handler), ec, n));
        }
        H handler;
    };

    // A teardown handler takes the error alone; the associated executor and
    // allocator of the handler it wraps are Beast's business only for
    // reads and writes, the teardown completion is a plain post.
    template <class H>
    struct TeardownOnly {
        H handler;
        void operator()(error_code ec, std::size_t) { handler(ec); }
    };

    template <class Buffer>
    struct Parked {
        std::unique_ptr<Handler> handler;
        Buffer buffer;
    };

    // Beast hands over one buffer at a time in practice; taking the first
    // non-empty one keeps the contract (a short read or write is allowed).
    template <class Buffer, class Sequence>
    static Buffer first_buffer(const Sequence& buffers) {
        for (auto it = net::buffer_sequence_begin(buffers); it != net::buffer_sequence_end(buffers); ++it) {
            Buffer b(*it);
            if (b.size() > 0) return b;
        }
        return Buffer();
    }

    template <class Buffer, class H>
    void park(Parked<Buffer>& slot, Buffer buffer, H&& handler) {
        using Decayed = std::decay_t<H>;
        auto erased = std::make_unique<HandlerOf<Decayed>>(Decayed(std::forward<H>(handler)));
        if (buffer.size() == 0 || closed_) {
            // Nothing to move, or nothing to move it through: complete now
            // (posted, never inline, as Asio requires).
            erased->post(get_executor(), closed_ ? error_code(net::error::eof) : error_code(), 0);
            return;
        }
        slot.handler = std::move(erased);
        slot.buffer = buffer;
    }

    template <class Buffer>
    void complete(Parked<Buffer>& slot, error_code ec, std::size_t n) {
        std::unique_ptr<Handler> handler = std::move(slot.handler);
        slot.buffer = Buffer();
        if (handler) handler->post(get_executor(), ec, n);
    }

    net::io_context* io_;
    Parked<net::mutable_buffer> read_;
    Parked<net::const_buffer> write_;
    std::unique_ptr<Handler> teardown_;
    bool closed_ = false;
};

// Beast's customisation points for a stream type of its user, found by
// argument-dependent lookup. The asynchronous teardown (the one Beast's
// asynchronous close and read use) does what Beast does for TCP: the owner
// ends our sending side (TLS close_notify, then FIN) and reads until the
// server's end, so that neither side resets a connection with bytes unread.
// The synchronous one is never used on the loop (it would block); it only
// marks the socket closed.
inline void teardown(boost::beast::role_type, LoopSocket& socket, error_code& ec) {
    socket.mark_closed();
    ec = {};
}

template <class TeardownHandler>
void async_teardown(boost::beast::role_type, LoopSocket& socket, TeardownHandler&& handler) {
    socket.park_teardown(std::forward<TeardownHandler>(handler));
}

inline void beast_close_socket(LoopSocket& socket) { socket.mark_closed(); }

}  // namespace backend_kubernetes::api
