// The bridge from Poco's HTTPServer to the one Handler: a Request built from
// Poco's, the handler's Response written back.
#pragma once

#include <csh/http/http_server.hpp>

#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include <memory>

namespace csh::http::detail {

class DispatchFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    DispatchFactory(Handler handler, ProblemReporter report);
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;

private:
    // Shared with the per-request objects Poco creates and deletes.
    std::shared_ptr<const Handler> handler_;
    std::shared_ptr<const ProblemReporter> report_;
};

}  // namespace csh::http::detail
