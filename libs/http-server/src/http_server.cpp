#include <csh/http/http_server.hpp>
#include <csh/net/listen_address.hpp>

#include "request_dispatch.hpp"
#include "tls_context.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>

#include <cerrno>
#include <cstring>
#include <strings.h>

namespace csh::http {
namespace {

constexpr int kMaxThreads = 16;
constexpr int kMaxQueued = 64;
constexpr int kBacklog = 64;

// Poco's OpenSSL set-up is reference-counted: one hold per HTTPS server.
class SslLibraryHold {
public:
    explicit SslLibraryHold(bool needed) : held_(needed) {
        if (held_) Poco::Net::initializeSSL();
    }
    ~SslLibraryHold() {
        if (held_) Poco::Net::uninitializeSSL();
    }
    SslLibraryHold(const SslLibraryHold&) = delete;
    SslLibraryHold& operator=(const SslLibraryHold&) = delete;

private:
    bool held_;
};

Poco::Net::ServerSocket bound_socket(const std::string& listen, const net::ListenAddress& where,
                                     const Poco::Net::Context::Ptr& tls) {
    try {
        Poco::Net::ServerSocket socket = tls ? Poco::Net::SecureServerSocket(tls) : Poco::Net::ServerSocket();
        // SO_REUSEADDR lets a restarted server bind while old connections
        // linger in TIME_WAIT; never SO_REUSEPORT, which would let a second
        // server share the port instead of failing.
        socket.bind(Poco::Net::SocketAddress(where.host, where.port), true, false);
        socket.listen(kBacklog);
        return socket;
    } catch (const Poco::Net::DNSException& e) {
        throw StartError("cannot listen on " + listen + ": the host name does not resolve (" + e.displayText() + ")",
                         false);
    } catch (const Poco::Exception& e) {
        if (e.code() == EADDRINUSE) {
            throw StartError("cannot listen on " + listen + ": the address is already in use", true);
        }
        // Poco's code is the errno of the failed call when there was one.
        const std::string cause = e.code() > 0 ? std::strerror(e.code()) : e.displayText();
        throw StartError("cannot listen on " + listen + ": " + cause, false);
    }
}

}  // namespace

std::string Request::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (key.size() == name.size() && ::strncasecmp(key.data(), name.data(), name.size()) == 0) return value;
    }
    return {};
}

struct HttpServer::Impl {
    explicit Impl(bool tls) : tls(tls), ssl_hold(tls) {}

    bool tls;
    SslLibraryHold ssl_hold;  // outlives the server and its sockets
    Poco::ThreadPool pool{1, kMaxThreads};
    std::unique_ptr<Poco::Net::HTTPServer> server;
};

HttpServer::HttpServer(const ServerSettings& settings, Handler handler, ProblemReporter report)
    : impl_(std::make_unique<Impl>(!settings.tls.cert.empty())) {
    std::string problem;
    const auto where = net::parse_listen_address(settings.listen, problem);
    if (!where) throw StartError("cannot listen on \"" + settings.listen + "\": " + problem, false);

    Poco::Net::Context::Ptr tls;
    if (impl_->tls) {
        try {
            tls = detail::make_server_context(settings.tls);
        } catch (const std::exception& e) {
            throw StartError("cannot serve HTTPS on " + settings.listen + ": " + e.what(), false, true);
        }
    }

    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(kMaxThreads);
    params->setMaxQueued(kMaxQueued);
    params->setKeepAlive(true);
    impl_->server = std::make_unique<Poco::Net::HTTPServer>(new detail::DispatchFactory(std::move(handler), std::move(report)),
                                                             impl_->pool, bound_socket(settings.listen, *where, tls),
                                                             params);
    impl_->server->start();
}

HttpServer::~HttpServer() {
    // Idle kept-alive connections are closed at once; a request being
    // answered is finished first (Poco waits for it before closing).
    impl_->server->stopAll(false);
    impl_->server.reset();
    impl_->pool.joinAll();
}

std::string HttpServer::address() const { return impl_->server->socket().address().toString(); }

bool HttpServer::tls() const { return impl_->tls; }

}  // namespace csh::http
