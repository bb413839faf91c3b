// The HTTP side: a Poco HTTPServer that reads each request, asks the
// WebhookService for the answer and writes it back.
#pragma once

#include <memory>
#include <string>

#include "logger.hpp"
#include "webhook_service.hpp"

namespace Poco {
class ThreadPool;
namespace Net {
class HTTPServer;
}
}  // namespace Poco

namespace example_server {

class HttpFrontend {
public:
    // Binds `listen` ("HOST:PORT", "[v6addr]:PORT"; port 0 picks a free one)
    // and starts serving. Throws std::runtime_error naming the address and
    // the cause when it cannot listen.
    HttpFrontend(const std::string& listen, WebhookService& service, Logger& logger);
    // Stops accepting, lets requests in progress finish, then returns.
    ~HttpFrontend();
    HttpFrontend(const HttpFrontend&) = delete;
    HttpFrontend& operator=(const HttpFrontend&) = delete;

    // The bound address with the real port, e.g. "127.0.0.1:8080".
    std::string address() const;

private:
    std::unique_ptr<Poco::ThreadPool> pool_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace example_server
