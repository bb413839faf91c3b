// A Boost.Beast WebSocket client over our non-blocking ByteStream, run on
// the host's loop: Beast's operations park on a LoopSocket, the host's fd
// watch says when the socket can move bytes, and drive() moves them and runs
// Beast's completions by polling a private io_context, all on the caller's
// strand and with no thread. Beast does the protocol (the upgrade request and
// the Sec-WebSocket-Accept check, masking, fragments, ping/pong, close).
//
// Handlers given to ws() run inside drive(). The owner may call shutdown()
// from one of them: the object stays alive until drive() returns, and no
// handler runs after (they are destroyed unrun).
#pragma once

#include "api/loop_socket.hpp"

#include <containerssh/sdk/host.hpp>
#include <csh/loop_http/byte_stream.hpp>

#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace backend_kubernetes::api {

struct HandshakeRequest {
    std::string host;    // the Host header
    std::string target;  // path and query
    std::vector<std::pair<std::string, std::string>> headers;  // Authorization and the like
    std::vector<std::string> subprotocols;  // offered, preferred first
};

struct HandshakeResult {
    // Empty on success; otherwise what failed, naming the target (never a
    // header value).
    std::string error;
    // The status of an answer other than 101 (the server refused), else 0.
    int http_status = 0;
    std::string subprotocol;  // the server's choice, one of those offered
};

class LoopWebSocket : public std::enable_shared_from_this<LoopWebSocket> {
public:
    using Stream = boost::beast::websocket::stream<LoopSocket>;

    // [strand] Takes over a connected stream and starts watching its fd.
    static std::shared_ptr<LoopWebSocket> start(const csh::sdk::Host& host, csh_strand* strand,
                                                std::unique_ptr<csh::loop_http::ByteStream> stream);
    ~LoopWebSocket();
    LoopWebSocket(const LoopWebSocket&) = delete;
    LoopWebSocket& operator=(const LoopWebSocket&) = delete;

    // [strand] The client handshake; `done` runs once, inside drive().
    void handshake(HandshakeRequest request, std::function<void(HandshakeResult)> done);

    // Beast's stream, to start reads and writes on; call drive() after.
    Stream& ws() { return *ws_; }

    // [strand] Runs Beast's ready work and moves bytes until nothing moves,
    // then sets what the fd watch waits for. Re-entrant calls (from a
    // handler) only ask the running drive() to go round once more.
    void drive();

    // [strand] Stops: no handler runs after this, the socket is closed once
    // the running drive() (if any) returned.
    void shutdown();

    // What a Beast error code means here: the ByteStream's own reason when
    // the socket failed (a TLS verification error, say), else Beast's text.
    std::string describe(const error_code& ec) const;

private:
    LoopWebSocket(const csh::sdk::Host& host, csh_strand* strand, std::unique_ptr<csh::loop_http::ByteStream> stream);
    bool move_bytes(int& reads);
    bool tear_down(LoopSocket& socket);
    void update_interest();
    void release_socket();

    csh::sdk::Host host_;
    csh_strand* strand_;
    std::unique_ptr<csh::loop_http::ByteStream> stream_;
    csh::sdk::FdWatch watch_;
    // Declared before ws_: Beast's pending operations belong to it and are
    // destroyed with it, after the stream.
    net::io_context io_{1};
    std::unique_ptr<Stream> ws_;
    std::string io_error_;
    bool driving_ = false;
    bool again_ = false;
    bool repost_pending_ = false;
    bool shut_ = false;
    bool write_shut_ = false;
};

}  // namespace backend_kubernetes::api
