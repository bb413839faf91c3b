// The decisions: what to answer to each webhook, and the log line that
// records it. Independent of the HTTP library, which only moves bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "logger.hpp"
#include "users_store.hpp"
#include "webhook_request.hpp"

namespace example_server {

enum class Endpoint { password, pubkey, authz, config };

// Routes on the last path segment, as ContainerSSH's own server library
// does, so "/password", "/auth/password" and "/v1/password" all work.
std::optional<Endpoint> endpoint_for_path(std::string_view path);
const char* endpoint_name(Endpoint endpoint);

struct HttpAnswer {
    int status = 200;
    std::string body;
};

class WebhookService {
public:
    WebhookService(Logger& logger, const UsersStore& users) : logger_(logger), users_(users) {}

    // Never throws: a failure to build the answer becomes HTTP 500
    // (HTTP_SERVER_ENCODE_FAILED), a bad request HTTP 400.
    HttpAnswer answer(Endpoint endpoint, std::string_view body, const std::string& client_address) noexcept;

private:
    HttpAnswer password(const WebhookRequest& request, const UserDirectory& users);
    HttpAnswer pubkey(const WebhookRequest& request, const UserDirectory& users);
    HttpAnswer authz(const WebhookRequest& request, const UserDirectory& users);
    HttpAnswer config(const WebhookRequest& request, const UserDirectory& users);

    // Logs EXAMPLE_SERVER_AUTH_SUCCESSFUL or _FAILED and builds the answer.
    HttpAnswer decision(const WebhookRequest& request, Endpoint endpoint, const std::string& username,
                        const User* user, const char* failure_reason);

    Logger& logger_;
    const UsersStore& users_;
};

}  // namespace example_server
