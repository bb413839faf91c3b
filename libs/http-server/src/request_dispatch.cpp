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
    explicit DispatchHandler(std::shared_ptr<const Handler> handler, std::shared_ptr<const ProblemReporter> report)
        : handler_(std::move(handler)), report_(std::move(report)) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
        const Request asked = request_of(request);
        Response answer;
        try {
            answer = (*handler_)(asked);
        } catch (const std::exception& e) {
            answer = Response{500, "text/plain; charset=utf-8", "internal server error\n", {}};
            report(ServeProblem::Kind::handler_failed, e.what(), asked);
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
            if (!out) report(ServeProblem::Kind::write_failed, "the client closed the connection first", asked);
        } catch (const Poco::Exception& e) {
            report(ServeProblem::Kind::write_failed, e.displayText(), asked);
        }
    }

private:
    void report(ServeProblem::Kind kind, std::string message, const Request& asked) const {
        if (*report_) (*report_)(ServeProblem{kind, std::move(message), asked.path, asked.client});
    }

    std::shared_ptr<const Handler> handler_;
    std::shared_ptr<const ProblemReporter> report_;
};

}  // namespace

DispatchFactory::DispatchFactory(Handler handler, ProblemReporter report)
    : handler_(std::make_shared<const Handler>(std::move(handler))),
      report_(std::make_shared<const ProblemReporter>(std::move(report))) {}

Poco::Net::HTTPRequestHandler* DispatchFactory::createRequestHandler(const Poco::Net::HTTPServerRequest&) {
    return new DispatchHandler(handler_, report_);
}

}  // namespace csh::http::detail
