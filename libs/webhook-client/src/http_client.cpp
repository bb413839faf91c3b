#include <csh/webhook/http_client.hpp>

#include "http_client_core.hpp"

namespace csh::webhook {

// The Core is shared so that callbacks queued on the host loop can hold a
// weak reference to it and find it gone, instead of dangling.
HttpClient::HttpClient(csh::sdk::Host host, HttpClientSettings settings)
    : core_(new Core(host, std::move(settings))) {}

HttpClient::~HttpClient() { core_->shutdown(); }

HttpClient::RequestId HttpClient::post_json(PostRequest request, std::function<void(HttpResult)> done) {
    HttpRequest http;
    http.method = "POST";
    http.url = std::move(request.url);
    http.headers = {"Content-Type: application/json", "Accept: application/json"};
    http.body = std::move(request.json_body);
    http.peer = "the webhook server";
    http.overall_timeout = request.overall_timeout;
    http.connection = request.connection;
    http.on_attempt = std::move(request.on_attempt);
    return core_->submit(std::move(http), std::move(done));
}

HttpClient::RequestId HttpClient::send(HttpRequest request, std::function<void(HttpResult)> done) {
    return core_->submit(std::move(request), std::move(done));
}

void HttpClient::cancel(RequestId id) { core_->cancel(id); }

const HttpClientSettings& HttpClient::settings() const { return core_->settings(); }

}  // namespace csh::webhook
