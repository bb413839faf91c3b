#include "auth_webhook_settings.hpp"

#include "messages.hpp"

#include <containerssh/sdk/json_config.hpp>

namespace auth_http {
namespace {

using csh::sdk::ConfigNode;
using csh::sdk::JsonConfig;

std::optional<WebhookEndpoint> read_method(const ConfigNode& auth, std::string_view name) {
    auto block = auth.get(name);
    if (!block || block->string("method", "") != "webhook") return std::nullopt;
    auto webhook = block->get("webhook");
    if (!webhook) block->fail("method is webhook but there is no webhook block");
    WebhookEndpoint endpoint;
    endpoint.http = csh::webhook::HttpClientSettings::parse(*webhook);
    if (endpoint.http.url.empty()) {
        if (auto url = webhook->get("url")) url->fail("must be set when method is webhook");
        webhook->fail("url must be set when method is webhook");
    }
    const auto timeout = webhook->duration("authTimeout", std::chrono::seconds(60));
    if (timeout < std::chrono::milliseconds(100)) {
        webhook->get("authTimeout")->fail("must be at least 100ms");
    }
    endpoint.auth_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(timeout);
    return endpoint;
}

}  // namespace

AuthWebhookSettings AuthWebhookSettings::parse(std::string_view auth_json, std::string_view configserver_json) {
    JsonConfig auth(auth_json, codes::AUTH_WEBHOOK_CONFIG_INVALID, "auth");
    AuthWebhookSettings settings;
    if (auth.root().is_object()) {
        settings.password = read_method(auth.root(), "password");
        settings.public_key = read_method(auth.root(), "publicKey");
        settings.authz = read_method(auth.root(), "authz");
    }
    if (!settings.password && !settings.public_key && !settings.authz) {
        auth.root().fail("no method (password, publicKey, authz) has method: webhook");
    }
    JsonConfig configserver(configserver_json, codes::AUTH_WEBHOOK_CONFIG_INVALID, "configserver");
    if (configserver.root().is_object() && configserver.root().boolean("transmitSensitiveMetadata", false)) {
        settings.sensitive = csh::webhook::SensitiveItems::transmit;
    }
    return settings;
}

}  // namespace auth_http
