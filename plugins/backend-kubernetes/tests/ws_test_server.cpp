#include "ws_test_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <exception>
#include <mutex>

namespace kws_test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

namespace {

template <class NextLayer>
class PeerOf final : public Peer {
public:
    template <class... Args>
    explicit PeerOf(Args&&... args) : ws_(std::forward<Args>(args)...) {}

    tcp::socket& socket() { return beast::get_lowest_layer(ws_); }
    websocket::stream<NextLayer>& ws() { return ws_; }

    UpgradeRequest read_request() override {
        http::read(ws_.next_layer(), buffer_, request_);
        UpgradeRequest out;
        out.target = std::string(request_.target());
        for (const auto& field : request_) {
            std::string name(field.name_string());
            std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
            out.headers[name] = std::string(field.value());
        }
        return out;
    }

    void write_raw(std::string_view bytes) override {
        net::write(ws_.next_layer(), net::buffer(bytes.data(), bytes.size()));
    }

    void accept(const std::string& protocol) override {
        ws_.set_option(websocket::stream_base::decorator([protocol](websocket::response_type& response) {
            if (!protocol.empty()) response.set(http::field::sec_websocket_protocol, protocol);
        }));
        ws_.binary(true);
        ws_.accept(request_);
    }

    void send(uint8_t channel, std::string_view payload) override {
        std::string message(1, static_cast<char>(channel));
        message.append(payload);
        ws_.binary(true);
        ws_.write(net::buffer(message));
    }

    void send_text(std::string_view text) override {
        ws_.text(true);
        ws_.write(net::buffer(text.data(), text.size()));
        ws_.binary(true);
    }

    std::optional<std::string> receive() override {
        beast::flat_buffer message;
        beast::error_code ec;
        ws_.read(message, ec);
        if (ec) return std::nullopt;
        return beast::buffers_to_string(message.data());
    }

    void close() override { ws_.close(websocket::close_code::normal); }

    void small_buffers() override {
        socket().set_option(net::socket_base::send_buffer_size(16 * 1024));
        socket().set_option(net::socket_base::receive_buffer_size(16 * 1024));
    }

    void bulk(const Bulk& plan) override {
        auto& io = static_cast<net::io_context&>(ws_.get_executor().context());
        io.restart();
        std::string out;
        size_t offset = 0;
        std::function<void()> write_next = [&] {
            if (offset >= plan.total) return;
            const size_t n = std::min(plan.chunk, plan.total - offset);
            out.assign(1, '\1');
            for (size_t i = 0; i < n; ++i) out.push_back(plan.pattern(offset + i));
            ws_.async_write(net::buffer(out), [&, n](beast::error_code ec, size_t) {
                if (ec) return;
                offset += n;
                if (plan.sent) *plan.sent = offset;
                write_next();
            });
        };
        beast::flat_buffer in;
        bool input_done = false;
        std::function<void()> read_next = [&] {
            ws_.async_read(in, [&](beast::error_code ec, size_t) {
                if (ec) {
                    input_done = true;
                    return;
                }
                const std::string message = beast::buffers_to_string(in.data());
                in.clear();
                if (message.size() == 2 && static_cast<unsigned char>(message[0]) == 255 && message[1] == 0) {
                    input_done = true;
                    return;
                }
                if (!message.empty() && message[0] == 0) {
                    if (plan.stdin_bytes) plan.stdin_bytes->append(message, 1);
                    if (plan.received) *plan.received += message.size() - 1;
                }
                read_next();
            });
        };
        net::steady_timer gate(io);
        std::function<void()> wait_gate = [&] {
            if (!plan.may_read || plan.may_read()) {
                // Released: kernel buffers of a normal size again, or the
                // rest crawls at a window of 16 KiB per delayed ACK.
                if (plan.may_read) {
                    socket().set_option(net::socket_base::send_buffer_size(1 << 20));
                    socket().set_option(net::socket_base::receive_buffer_size(1 << 20));
                }
                return read_next();
            }
            gate.expires_after(std::chrono::milliseconds(10));
            gate.async_wait([&](beast::error_code) { wait_gate(); });
        };
        ws_.binary(true);
        write_next();
        wait_gate();
        io.run();
        io.restart();
        if (!input_done) throw std::runtime_error("bulk: the input did not end");
    }

private:
    websocket::stream<NextLayer> ws_;
    beast::flat_buffer buffer_;
    http::request<http::string_body> request_;
};

}  // namespace

struct WsTestServer::State {
    net::io_context io;
    tcp::acceptor acceptor{io};
    std::optional<net::ssl::context> tls;
    std::mutex mutex;
    std::string error;
};

WsTestServer::WsTestServer(Script script, std::optional<TlsFiles> tls) : state_(std::make_shared<State>()) {
    auto& acceptor = state_->acceptor;
    const tcp::endpoint where(net::ip::make_address("127.0.0.1"), 0);
    acceptor.open(where.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(where);
    acceptor.listen();
    port_ = acceptor.local_endpoint().port();
    if (tls) {
        state_->tls.emplace(net::ssl::context::tls_server);
        state_->tls->use_certificate_chain_file(tls->cert);
        state_->tls->use_private_key_file(tls->key, net::ssl::context::pem);
    }
    thread_ = std::thread([state = state_, script = std::move(script)] {
        try {
            tcp::socket socket(state->io);
            state->acceptor.accept(socket);
            // Small messages go out at once (no Nagle wait for the client's ACK).
            socket.set_option(tcp::no_delay(true));
            if (state->tls) {
                PeerOf<net::ssl::stream<tcp::socket>> peer(std::move(socket), *state->tls);
                peer.ws().next_layer().handshake(net::ssl::stream_base::server);
                script(peer);
            } else {
                PeerOf<tcp::socket> peer(std::move(socket));
                script(peer);
            }
        } catch (const std::exception& e) {
            std::lock_guard<std::mutex> lock(state->mutex);
            state->error = e.what();
        }
    });
}

WsTestServer::~WsTestServer() {
    if (thread_.joinable()) thread_.join();
}

std::string WsTestServer::finish() {
    if (thread_.joinable()) thread_.join();
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->error;
}

}  // namespace kws_test
