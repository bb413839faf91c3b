// The bridge from Poco's HTTPServer to the one Handler: a Request built from
// Poco's, the handler's Response written back.
#pragma once

#include <csh/http/http_server.hpp>

#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include <memory>

namespace csh::http::detail {

class DispatchFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit DispatchFactory(Handler handler);
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;

private:
    // Shared with the per-request objects Poco creates and deletes.
    std::shared_ptr<const Handler> handler_;
};

}  // namespace csh::http::detail
