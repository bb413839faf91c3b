#include "api/loop_websocket.hpp"

#include <csh/loop_http/http_call.hpp>

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <algorithm>
#include <exception>

namespace backend_kubernetes::api {

namespace websocket = boost::beast::websocket;
namespace http = boost::beast::http;
using csh::loop_http::IoResult;

namespace {

// Socket reads per drive() before the loop gets a turn: a server that keeps
// the socket full must not hold the strand. The rest continues in a post,
// not on the fd's readiness, because TLS may hold decrypted bytes that the
// fd no longer shows.
constexpr int kReadsPerDrive = 16;

}  // namespace

std::shared_ptr<LoopWebSocket> LoopWebSocket::start(const csh::sdk::Host& host, csh_strand* strand,
                                                    std::unique_ptr<csh::loop_http::ByteStream> stream) {
    std::shared_ptr<LoopWebSocket> self(new LoopWebSocket(host, strand, std::move(stream)));
    std::weak_ptr<LoopWebSocket> weak = self;
    self->watch_ = host.fd_watch_start(strand, self->stream_->fd(), 0, [weak](uint32_t) {
        if (auto s = weak.lock()) s->drive();
    });
    return self;
}

LoopWebSocket::LoopWebSocket(const csh::sdk::Host& host, csh_strand* strand,
                             std::unique_ptr<csh::loop_http::ByteStream> stream)
    : host_(host), strand_(strand), stream_(std::move(stream)), ws_(std::make_unique<Stream>(io_)) {}

LoopWebSocket::~LoopWebSocket() {
    release_socket();
    // Parked operations hold Beast's state, which holds the LoopSocket: drop
    // them first, then the stream; the io_context goes last and destroys
    // whatever completions were posted and never run.
    ws_->next_layer().drop_parked();
    ws_.reset();
}

void LoopWebSocket::handshake(HandshakeRequest request, std::function<void(HandshakeResult)> done) {
    std::string offered;
    for (const auto& protocol : request.subprotocols) offered += (offered.empty() ? "" : ", ") + protocol;
    ws_->set_option(websocket::stream_base::decorator(
        [headers = request.headers, offered](websocket::request_type& upgrade) {
            upgrade.set(http::field::user_agent, "ContainerSSH");
            if (!offered.empty()) upgrade.set(http::field::sec_websocket_protocol, offered);
            for (const auto& [name, value] : headers) upgrade.set(name, value);
        }));
    struct Pending {
        websocket::response_type response;
        HandshakeRequest request;
        std::function<void(HandshakeResult)> done;
    };
    auto pending = std::make_shared<Pending>();
    pending->request = std::move(request);
    pending->done = std::move(done);
    ws_->async_handshake(pending->response, pending->request.host, pending->request.target,
                         [this, pending](error_code ec) {
                             if (shut_) return;
                             HandshakeResult result;
                             const std::string& target = pending->request.target;
                             if (ec == websocket::error::upgrade_declined) {
                                 result.http_status = static_cast<int>(pending->response.result_int());
                                 result.error = "the API server answered " + std::to_string(result.http_status) +
                                                " to " + target + ": " +
                                                csh::loop_http::json_error_message(pending->response.body());
                             } else if (ec == http::error::end_of_stream || ec == net::error::eof) {
                                 result.error = "WebSocket handshake for " + target +
                                                " failed: the server closed the connection without answering";
                             } else if (ec && ec.category() == error_code(http::error::bad_version).category()) {
                                 // Beast's HTTP parser refused the answer.
                                 result.error = "WebSocket handshake for " + target +
                                                " failed: the answer is not valid HTTP (" + describe(ec) + ")";
                             } else if (ec) {
                                 result.error = "WebSocket handshake for " + target + " failed: " + describe(ec);
                             } else {
                                 const auto chosen = pending->response[http::field::sec_websocket_protocol];
                                 result.subprotocol = std::string(chosen);
                                 const auto& offered = pending->request.subprotocols;
                                 if (!offered.empty() &&
                                     std::find(offered.begin(), offered.end(), result.subprotocol) == offered.end()) {
                                     result.error = "the API server chose no subprotocol we offered for " + target +
                                                    (chosen.empty() ? std::string(" (none)")
                                                                    : " (\"" + result.subprotocol.substr(0, 64) + "\")");
                                 }
                             }
                             pending->done(std::move(result));
                         });
}

void LoopWebSocket::drive() {
    if (driving_) {
        again_ = true;
        return;
    }
    if (shut_) return;
    auto self = shared_from_this();
    driving_ = true;
    int reads = 0;
    try {
        for (;;) {
            again_ = false;
            // poll() leaves the context stopped once it ran out of work;
            // the next operation needs it running again.
            io_.restart();
            const size_t ran = io_.poll();
            if (shut_) break;
            const bool moved = move_bytes(reads);
            if (shut_) break;
            if (ran == 0 && !moved && !again_) break;
        }
    } catch (const std::exception& e) {
        // Beast reports failures through error codes; an exception here is
        // a bug (or bad_alloc): the stream cannot go on, but the loop can.
        io_error_ = std::string("internal error: ") + e.what();
        ws_->next_layer().mark_closed();
        release_socket();
    }
    driving_ = false;
    if (!shut_) update_interest();
}

bool LoopWebSocket::move_bytes(int& reads) {
    LoopSocket& socket = ws_->next_layer();
    bool moved = false;
    if (socket.teardown_waiting()) {
        if (!stream_) {
            socket.complete_teardown({});
            return true;
        }
        return tear_down(socket);
    }
    if (socket.closed() || !stream_) {
        // Failed, or torn down: whatever is still parked fails.
        release_socket();
        if (socket.write_waiting()) {
            socket.complete_write(net::error::eof, 0);
            moved = true;
        }
        if (socket.read_waiting()) {
            socket.complete_read(net::error::eof, 0);
            moved = true;
        }
        return moved;
    }
    if (socket.write_waiting()) {
        const net::const_buffer b = socket.write_buffer();
        const IoResult r = stream_->write(static_cast<const char*>(b.data()), b.size());
        if (r.status == IoResult::Status::ok) {
            socket.complete_write({}, r.bytes);
            moved = true;
        } else if (r.status != IoResult::Status::would_block) {
            if (io_error_.empty()) io_error_ = r.error.empty() ? "the connection was closed" : r.error;
            socket.complete_write(net::error::broken_pipe, 0);
            moved = true;
        }
    }
    if (socket.read_waiting()) {
        if (reads >= kReadsPerDrive) {
            if (!repost_pending_) {
                repost_pending_ = true;
                std::weak_ptr<LoopWebSocket> weak = weak_from_this();
                host_.post(strand_, [weak] {
                    if (auto s = weak.lock()) {
                        s->repost_pending_ = false;
                        s->drive();
                    }
                });
            }
            return moved;
        }
        const net::mutable_buffer b = socket.read_buffer();
        const IoResult r = stream_->read(static_cast<char*>(b.data()), b.size());
        ++reads;
        switch (r.status) {
            case IoResult::Status::ok:
                socket.complete_read({}, r.bytes);
                moved = true;
                break;
            case IoResult::Status::eof:
                socket.complete_read(net::error::eof, 0);
                moved = true;
                break;
            case IoResult::Status::error:
                if (io_error_.empty()) io_error_ = r.error;
                socket.complete_read(net::error::connection_reset, 0);
                moved = true;
                break;
            case IoResult::Status::would_block:
                break;
        }
    }
    return moved;
}

// After the close handshake: our sending side ends (TLS close_notify, then
// FIN), and what the server still sends is read and dropped until its end,
// as Beast does for TCP; closing with bytes unread would reset the
// connection under the server's last words. Returns whether bytes moved.
bool LoopWebSocket::tear_down(LoopSocket& socket) {
    if (!write_shut_) {
        const IoResult r = stream_->shutdown_write();
        if (r.status == IoResult::Status::would_block) return false;
        write_shut_ = true;
    }
    char discard[4096];
    const IoResult r = stream_->read(discard, sizeof discard);
    if (r.status == IoResult::Status::would_block) return false;
    if (r.status == IoResult::Status::ok) return true;
    // The server's end (or a failure, which ends it too).
    release_socket();
    socket.complete_teardown({});
    return true;
}

void LoopWebSocket::update_interest() {
    if (!watch_.active() || !stream_) return;
    const LoopSocket& socket = ws_->next_layer();
    uint32_t events = 0;
    if (socket.teardown_waiting()) events |= write_shut_ ? stream_->read_waits_for() : stream_->write_waits_for();
    if (socket.read_waiting()) events |= stream_->read_waits_for();
    if (socket.write_waiting()) events |= stream_->write_waits_for();
    watch_.update(events);
}

void LoopWebSocket::shutdown() {
    shut_ = true;
    release_socket();
}

void LoopWebSocket::release_socket() {
    watch_.stop();  // before the fd closes
    stream_.reset();
}

std::string LoopWebSocket::describe(const error_code& ec) const {
    if (!io_error_.empty()) return io_error_;
    return ec.message();
}

}  // namespace backend_kubernetes::api
