// A stand-in for the API server's exec endpoint in unit tests: one
// connection on 127.0.0.1 (plain or TLS), served on its own thread by a
// script that speaks through a Peer: read the upgrade request, answer it
// (accept a WebSocket with a chosen subprotocol, or write raw bytes), then
// exchange channel messages with Boost.Beast's synchronous API.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace kws_test {

struct UpgradeRequest {
    std::string target;
    std::map<std::string, std::string> headers;  // names in lower case
};

class Peer {
public:
    virtual ~Peer() = default;
    // Reads the client's HTTP request (the WebSocket upgrade).
    virtual UpgradeRequest read_request() = 0;
    // Answers with these bytes as they are (a refusal, or garbage).
    virtual void write_raw(std::string_view bytes) = 0;
    // Accepts the upgrade read before; `protocol` goes in
    // Sec-WebSocket-Protocol unless empty.
    virtual void accept(const std::string& protocol) = 0;
    virtual void send(uint8_t channel, std::string_view payload) = 0;
    virtual void send_text(std::string_view text) = 0;
    // The next message (channel byte first), or nullopt once the client
    // closed or the connection broke.
    virtual std::optional<std::string> receive() = 0;
    // A WebSocket close (code 1000).
    virtual void close() = 0;
    // Makes the kernel's buffers small, so a client that stops reading
    // blocks this server's writes soon (and the other way round).
    virtual void small_buffers() = 0;
    // Sends `total` bytes on stdout in `chunk`-byte messages while reading
    // the client's messages, both at once (Beast's asynchronous API on this
    // thread). Reading stops at the v5 close of stdin or the client's close.
    // `sent` is updated as writes complete; `received` gets stdin bytes.
    struct Bulk {
        size_t total = 0;
        size_t chunk = 32 * 1024;
        std::function<char(size_t)> pattern;  // the byte at an offset
        std::atomic<size_t>* sent = nullptr;
        std::atomic<size_t>* received = nullptr;
        std::string* stdin_bytes = nullptr;
        // Reading starts only once this returns true (polled); lets a test
        // hold the server's reading back. Then the kernel's buffers are made
        // 1 MiB (after small_buffers()).
        std::function<bool()> may_read;
    };
    virtual void bulk(const Bulk& plan) = 0;
};

struct TlsFiles {
    std::string cert;  // PEM file paths
    std::string key;
};

class WsTestServer {
public:
    using Script = std::function<void(Peer&)>;
    // Serves one connection with `script` on a thread.
    explicit WsTestServer(Script script, std::optional<TlsFiles> tls = std::nullopt);
    ~WsTestServer();

    uint16_t port() const { return port_; }
    // Waits for the script to end; returns what it threw ("" when nothing).
    std::string finish();

private:
    struct State;
    std::shared_ptr<State> state_;
    uint16_t port_ = 0;
    std::thread thread_;
};

}  // namespace kws_test
