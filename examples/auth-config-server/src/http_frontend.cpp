#include "http_frontend.hpp"

#include "messages.hpp"
#include "webhook_responses.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>

#include <stdexcept>

namespace example_server {
namespace {

// ContainerSSH's requests are a few hundred bytes; anything far larger is
// not one of them and is refused before it is buffered.
constexpr std::size_t kMaxBodyBytes = 1 << 20;
constexpr int kMaxThreads = 128;

// Reads at most kMaxBodyBytes + 1 bytes, so an oversized body is detected
// without reading all of it.
std::string read_body(std::istream& in) {
    std::string body;
    char buffer[8192];
    while (body.size() <= kMaxBodyBytes && in.read(buffer, sizeof buffer).gcount() > 0) {
        body.append(buffer, static_cast<std::size_t>(in.gcount()));
    }
    return body;
}

class WebhookHandler : public Poco::Net::HTTPRequestHandler {
public:
    WebhookHandler(WebhookService& service, Logger& logger) : service_(service), logger_(logger) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
        const std::string& uri = request.getURI();
        const std::string path = uri.substr(0, uri.find('?'));
        const std::string client = request.clientAddress().toString();
        const std::string body = read_body(request.stream());
        const auto endpoint = endpoint_for_path(path);

        HttpAnswer answer;
        if (!endpoint) {
            answer = {404, error_body("no such endpoint; use …/password, …/pubkey, …/authz or …/config")};
        } else if (request.getMethod() != Poco::Net::HTTPRequest::HTTP_POST) {
            answer = {405, error_body("webhooks are called with POST")};
            response.set("Allow", "POST");
        } else if (body.size() > kMaxBodyBytes) {
            answer = {413, error_body("the request body is larger than 1 MiB")};
            // The rest of the body is still unread: the connection cannot carry another request.
            response.setKeepAlive(false);
        } else {
            answer = service_.answer(*endpoint, body, client);
        }
        send(response, answer, path, client);
    }

private:
    void send(Poco::Net::HTTPServerResponse& response, const HttpAnswer& answer, const std::string& path,
              const std::string& client) {
        try {
            response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status));
            response.setContentType("application/json");
            response.setContentLength(static_cast<std::streamsize>(answer.body.size()));
            std::ostream& out = response.send();
            out << answer.body;
            out.flush();
            if (out) return;
            logger_.log(codes::HTTP_SERVER_RESPONSE_WRITE_FAILED, "the connection closed while the answer was sent",
                        {{"path", path}, {"client", client}});
        } catch (const Poco::Exception& e) {
            logger_.log(codes::HTTP_SERVER_RESPONSE_WRITE_FAILED, e.displayText(), {{"path", path}, {"client", client}});
        }
    }

    WebhookService& service_;
    Logger& logger_;
};

class WebhookHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    WebhookHandlerFactory(WebhookService& service, Logger& logger) : service_(service), logger_(logger) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new WebhookHandler(service_, logger_);
    }

private:
    WebhookService& service_;
    Logger& logger_;
};

Poco::Net::ServerSocket listen_on(const std::string& listen) {
    try {
        Poco::Net::ServerSocket socket;
        socket.bind(Poco::Net::SocketAddress(listen), true);
        socket.listen(64);
        return socket;
    } catch (const Poco::Exception& e) {
        throw std::runtime_error("cannot listen on " + listen + ": " + e.displayText());
    }
}

}  // namespace

HttpFrontend::HttpFrontend(const std::string& listen, WebhookService& service, Logger& logger)
    : pool_(std::make_unique<Poco::ThreadPool>(2, kMaxThreads)) {
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(kMaxThreads);
    // Poco serves a connection on one thread for as long as it is kept
    // alive; connections beyond the threads wait in this queue.
    params->setMaxQueued(1024);
    params->setKeepAlive(true);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new WebhookHandlerFactory(service, logger), *pool_,
                                                      listen_on(listen), params);
    server_->start();
}

HttpFrontend::~HttpFrontend() {
    // Idle keep-alive connections are closed at once; a request being
    // answered is finished first.
    server_->stopAll(false);
    server_.reset();
    pool_->joinAll();
}

std::string HttpFrontend::address() const { return server_->socket().address().toString(); }

}  // namespace example_server
