// The auth-http plugin's view of the `auth` section: which of password,
// publicKey and authz use `method: webhook`, and each one's webhook block
// (ContainerSSH's HTTP client block plus authTimeout). The core already
// turned the 0.4 form (auth.url, auth.password: true) into this shape.
#pragma once

#include <csh/webhook/http_settings.hpp>
#include <csh/webhook/webhook_request.hpp>

#include <chrono>
#include <optional>
#include <string_view>

namespace auth_http {

struct WebhookEndpoint {
    csh::webhook::HttpClientSettings http;
    // The whole decision, retries included.
    std::chrono::milliseconds auth_timeout{60'000};
};

struct AuthWebhookSettings {
    std::optional<WebhookEndpoint> password;
    std::optional<WebhookEndpoint> public_key;
    std::optional<WebhookEndpoint> authz;
    // configserver.transmitSensitiveMetadata: sensitive items reach later
    // webhooks (authz after an auth that returned them) only when true.
    csh::webhook::SensitiveItems sensitive = csh::webhook::SensitiveItems::withhold;

    // `auth_json` and `configserver_json` are the sections as the host hands
    // them over. Throws csh::sdk::Error (AUTH_WEBHOOK_CONFIG_INVALID) naming
    // the key.
    static AuthWebhookSettings parse(std::string_view auth_json, std::string_view configserver_json);
};

}  // namespace auth_http
