#include "http_test_server.hpp"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/X509Certificate.h>
#include <Poco/StreamCopier.h>
#include <Poco/ThreadPool.h>

#include <signal.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <mutex>

namespace csh::test {
namespace {

// Enough threads and queue for the 200-concurrent-request tests: each
// persistent connection occupies one thread for as long as it stays open.
constexpr int max_server_threads = 256;
constexpr int max_queued_connections = 512;
constexpr int listen_backlog = 256;

// Everything the Poco threads and the test thread share, under one mutex.
class ServerState {
public:
    void script(const std::string& path, std::vector<ScriptedResponse> responses) {
        std::lock_guard<std::mutex> lock(mutex_);
        scripts_[path] = Script{std::move(responses), 0};
    }

    // Records the request and picks its answer in one step, so concurrent
    // requests for one sequenced path each get their own entry.
    std::optional<ScriptedResponse> record_and_pick(RecordedRequest request) {
        std::lock_guard<std::mutex> lock(mutex_);
        std::optional<ScriptedResponse> picked;
        auto found = scripts_.find(request.path);
        if (found != scripts_.end() && !found->second.responses.empty()) {
            Script& script = found->second;
            picked = script.responses[script.next];
            if (script.next + 1 < script.responses.size()) ++script.next;
        }
        recorded_.push_back(std::move(request));
        return picked;
    }

    std::vector<RecordedRequest> requests(const std::string& path) const {
        std::lock_guard<std::mutex> lock(mutex_);
        std::vector<RecordedRequest> result;
        for (const RecordedRequest& request : recorded_) {
            if (path.empty() || request.path == path) result.push_back(request);
        }
        return result;
    }

    void count_connection() {
        std::lock_guard<std::mutex> lock(mutex_);
        ++connections_;
    }
    std::size_t connections() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return connections_;
    }

    // Waits for `delay` or until the server stops, whichever comes first;
    // returns false when the server is stopping.
    bool wait(std::chrono::milliseconds delay) {
        std::unique_lock<std::mutex> lock(mutex_);
        stopped_signal_.wait_for(lock, delay, [this] { return stopping_; });
        return !stopping_;
    }
    void wait_until_stopping() {
        std::unique_lock<std::mutex> lock(mutex_);
        stopped_signal_.wait(lock, [this] { return stopping_; });
    }
    void stop() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stopping_ = true;
        }
        stopped_signal_.notify_all();
    }

private:
    struct Script {
        std::vector<ScriptedResponse> responses;
        std::size_t next = 0;
    };

    mutable std::mutex mutex_;
    std::condition_variable stopped_signal_;
    bool stopping_ = false;
    std::map<std::string, Script> scripts_;
    std::vector<RecordedRequest> recorded_;
    std::size_t connections_ = 0;
};

std::string lower_case(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::string client_certificate_subject(Poco::Net::HTTPServerRequest& request) {
    if (!request.secure()) return {};
    // Poco gives the socket only through the implementation class; every
    // request an HTTPServer hands to a handler is one.
    auto& impl = static_cast<Poco::Net::HTTPServerRequestImpl&>(request);
    Poco::Net::SecureStreamSocket secure(impl.socket());
    if (!secure.havePeerCertificate()) return {};
    return secure.peerCertificate().subjectName();
}

RecordedRequest record(Poco::Net::HTTPServerRequest& request) {
    RecordedRequest recorded;
    recorded.method = request.getMethod();
    const std::string& uri = request.getURI();
    recorded.path = uri.substr(0, uri.find('?'));
    for (const auto& [name, value] : request) {
        std::string& slot = recorded.headers[lower_case(name)];
        slot = slot.empty() ? value : slot + ", " + value;
    }
    Poco::StreamCopier::copyToString(request.stream(), recorded.body);
    recorded.client_certificate_subject = client_certificate_subject(request);
    return recorded;
}

ScriptedResponse not_scripted() {
    ScriptedResponse response;
    response.status = 404;
    response.body = R"({"error":"no response scripted for this path"})";
    response.headers = {{"Content-Type", "application/json"}};
    return response;
}

class ScriptedHandler : public Poco::Net::HTTPRequestHandler {
public:
    explicit ScriptedHandler(std::shared_ptr<ServerState> state) : state_(std::move(state)) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override {
        ScriptedResponse answer = state_->record_and_pick(record(request)).value_or(not_scripted());
        if (answer.hang) {
            // Never answered: the connection is dropped when the server stops.
            state_->wait_until_stopping();
            return;
        }
        if (answer.delay.count() > 0 && !state_->wait(answer.delay)) return;

        response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status));
        for (const auto& [name, value] : answer.headers) response.add(name, value);
        response.setContentLength(static_cast<std::streamsize>(answer.body.size()));
        response.send() << answer.body;
    }

private:
    std::shared_ptr<ServerState> state_;
};

class ScriptedHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit ScriptedHandlerFactory(std::shared_ptr<ServerState> state) : state_(std::move(state)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new ScriptedHandler(state_);
    }

private:
    std::shared_ptr<ServerState> state_;
};

// Sees every accepted TCP connection before any byte is read, so the count
// covers connections that never complete a request (failed TLS handshakes).
class ConnectionCounter : public Poco::Net::TCPServerConnectionFilter {
public:
    explicit ConnectionCounter(std::shared_ptr<ServerState> state) : state_(std::move(state)) {}
    bool accept(const Poco::Net::StreamSocket&) override {
        state_->count_connection();
        return true;
    }

private:
    std::shared_ptr<ServerState> state_;
};

Poco::Net::Context::Ptr server_context(const TlsFiles& tls) {
    Poco::Net::Context::Params params;
    params.certificateFile = tls.cert_file;
    params.privateKeyFile = tls.key_file;
    params.loadDefaultCAs = false;
    if (tls.client_ca_file.empty()) {
        // No certificate requested, so a client that has one is not refused.
        params.verificationMode = Poco::Net::Context::VERIFY_NONE;
    } else {
        params.caLocation = tls.client_ca_file;
        params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
    }
    Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
    // A session id context lets clients resume sessions across connections
    // when client certificates are verified; OpenSSL refuses resumption otherwise.
    context->enableSessionCache(true, "csh-http-test-server");
    // Poco's "extended verification" matches the peer certificate against the
    // peer's host name, which makes sense for servers but not for clients:
    // a client certificate names a user, not the address it connects from.
    context->enableExtendedCertificateVerification(false);
    return context;
}

Poco::Net::ServerSocket listening_socket(const std::optional<TlsFiles>& tls) {
    Poco::Net::SocketAddress address("127.0.0.1", 0);
    if (tls) return Poco::Net::SecureServerSocket(address, listen_backlog, server_context(*tls));
    return Poco::Net::ServerSocket(address, listen_backlog);
}

}  // namespace

struct HttpTestServer::Impl {
    bool tls = false;
    std::shared_ptr<ServerState> state = std::make_shared<ServerState>();
    Poco::ThreadPool pool{2, max_server_threads + 8};
    std::unique_ptr<Poco::Net::HTTPServer> server;
};

HttpTestServer::HttpTestServer(std::optional<TlsFiles> tls) : impl_(std::make_unique<Impl>()) {
    // A client that gives up mid-response must not kill the test process:
    // OpenSSL writes with write(2), which raises SIGPIPE on a closed socket.
    ::signal(SIGPIPE, SIG_IGN);
    if (tls) Poco::Net::initializeSSL();
    impl_->tls = tls.has_value();

    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(max_server_threads);
    params->setMaxQueued(max_queued_connections);
    params->setKeepAlive(true);
    params->setMaxKeepAliveRequests(0);  // unlimited requests per connection

    impl_->server = std::make_unique<Poco::Net::HTTPServer>(
        new ScriptedHandlerFactory(impl_->state), impl_->pool, listening_socket(tls), params);
    impl_->server->setConnectionFilter(new ConnectionCounter(impl_->state));
    impl_->server->start();
}

HttpTestServer::~HttpTestServer() {
    // Release hanging and delayed handlers first, then shut the sockets of
    // open connections so threads waiting for a next request return at once.
    impl_->state->stop();
    impl_->server->stopAll(true);
    impl_->server.reset();
    impl_->pool.joinAll();
    if (impl_->tls) Poco::Net::uninitializeSSL();
}

std::uint16_t HttpTestServer::port() const { return impl_->server->port(); }

std::string HttpTestServer::url() const {
    return std::string(impl_->tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port());
}

void HttpTestServer::respond(const std::string& path, ScriptedResponse response) {
    impl_->state->script(path, {std::move(response)});
}

void HttpTestServer::respond_sequence(const std::string& path, std::vector<ScriptedResponse> responses) {
    impl_->state->script(path, std::move(responses));
}

std::vector<RecordedRequest> HttpTestServer::requests(const std::string& path) const {
    return impl_->state->requests(path);
}

std::size_t HttpTestServer::connections_accepted() const { return impl_->state->connections(); }

}  // namespace csh::test
