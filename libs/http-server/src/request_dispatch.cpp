#include "request_dispatch.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <exception>
#include <ostream>
#include <utility>

namespace csh::http::detail {
namespace {

Request request_of(const Poco::Net::HTTPServerRequest& poco) {
    Request request;
    request.method = poco.getMethod();
    const std::string& uri = poco.getURI();
    request.path = uri.substr(0, uri.find('?'));
    for (const auto& [name, value] : poco) request.headers.emplace_back(name, value);
    request.client = poco.clientAddress().toString();
    return request;
}

// The handler never reads a body, so the bytes of one would be taken for the
// next request on a kept-alive connection.
bool has_body(const Poco::Net::HTTPServerRequest& request) {
    return (request.hasContentLength() && request.getContentLength64() > 0) || request.getChunkedTransferEncoding();
}

class DispatchHandler : public Poco::Net::HTTPRequestHandler {
public:
    explicit DispatchHandler(std::shared_ptr<const Handler> handler) : handler_(std::move(handler)) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
        Response answer;
        try {
            answer = (*handler_)(request_of(request));
        } catch (const std::exception&) {
            answer = Response{500, "text/plain; charset=utf-8", "internal server error\n", {}};
        }
        if (has_body(request)) response.setKeepAlive(false);
        try {
            response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status));
            response.setContentType(answer.content_type);
            for (const auto& [name, value] : answer.headers) response.set(name, value);
            response.setContentLength64(static_cast<Poco::Int64>(answer.body.size()));
            // For HEAD Poco's stream writes the header only.
            std::ostream& out = response.send();
            out << answer.body;
            out.flush();
        } catch (const Poco::Exception&) {
            // The client left while the answer was being written; the
            // connection is closed and there is nobody left to tell.
        }
    }

private:
    std::shared_ptr<const Handler> handler_;
};

}  // namespace

DispatchFactory::DispatchFactory(Handler handler) : handler_(std::make_shared<const Handler>(std::move(handler))) {}

Poco::Net::HTTPRequestHandler* DispatchFactory::createRequestHandler(const Poco::Net::HTTPServerRequest&) {
    return new DispatchHandler(handler_);
}

}  // namespace csh::http::detail
