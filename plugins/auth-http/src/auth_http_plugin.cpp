// auth-http: ContainerSSH's password, public-key and authorization webhooks
// (provides "auth/webhook"). Every decision is one webhook request sent
// through the shared webhook client, on the host's event loop.
#include "auth_metrics.hpp"
#include "auth_webhook_settings.hpp"
#include "inflight_requests.hpp"
#include "messages.hpp"

#include <containerssh/sdk/auth.hpp>
#include <containerssh/sdk/plugin.hpp>
#include <csh/webhook/http_client.hpp>
#include <csh/webhook/messages.hpp>
#include <csh/webhook/url_redaction.hpp>
#include <csh/webhook/webhook_outcome.hpp>
#include <csh/webhook/webhook_request.hpp>
#include <csh/webhook/webhook_response.hpp>

#include <memory>
#include <string>

namespace auth_http {

using csh::sdk::AuthCompletion;
using csh::sdk::ConnectionInfo;
using csh::webhook::HttpClient;
using csh::webhook::Outcome;

namespace {

// "{url}/password" without doubling a slash the operator left at the end.
std::string endpoint_url(std::string base, std::string_view path) {
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base + "/" + std::string(path);
}


}  // namespace

// One configured method: where it posts and with which client.
struct Endpoint {
    const char* authtype;  // metric label
    std::string url;
    std::chrono::milliseconds auth_timeout;
    std::unique_ptr<HttpClient> client;
};

class AuthHttpPlugin final : public csh::sdk::AuthPlugin {
public:
    explicit AuthHttpPlugin(csh::sdk::Host host)
        : Plugin(host),
          settings_(AuthWebhookSettings::parse(host.config_section("auth"), host.config_section("configserver"))),
          metrics_(host) {
        password_ = make_endpoint(settings_.password, kAuthtypePassword, "password");
        public_key_ = make_endpoint(settings_.public_key, kAuthtypePublicKey, "pubkey");
        authz_ = make_endpoint(settings_.authz, kAuthtypeAuthz, "authz");
    }

protected:
    uint32_t auth_methods() const override {
        return (password_ ? CSH_AUTH_METHOD_PASSWORD : 0u) | (public_key_ ? CSH_AUTH_METHOD_PUBLIC_KEY : 0u) |
               (authz_ ? CSH_AUTH_METHOD_AUTHORIZATION : 0u);
    }

    void password(const ConnectionInfo& connection, std::string_view password, AuthCompletion done) override {
        std::string body;
        if (!encode(connection, done, [&] {
                body = csh::webhook::password_request(connection, password, settings_.sensitive);
            })) {
            return;
        }
        call(*password_, connection, std::move(body), std::move(done));
    }

    void public_key(const ConnectionInfo& connection, std::string_view authorized_key, AuthCompletion done) override {
        std::string body;
        if (!encode(connection, done, [&] {
                body = csh::webhook::public_key_request(connection, authorized_key, settings_.sensitive);
            })) {
            return;
        }
        call(*public_key_, connection, std::move(body), std::move(done));
    }

    void authorize(const ConnectionInfo& connection, AuthCompletion done) override {
        std::string body;
        if (!encode(connection, done, [&] {
                body = csh::webhook::authenticated_request(connection, settings_.sensitive);
            })) {
            return;
        }
        call(*authz_, connection, std::move(body), std::move(done));
    }

    void keyboard_interactive(const ConnectionInfo& connection, csh::sdk::KbdIntPrompt, AuthCompletion done) override {
        host().log(codes::AUTH_NOT_SUPPORTED, "keyboard-interactive is not served by the webhook plugin",
                   {{"method", "keyboard-interactive"}}, connection.connection());
        done.failure("keyboard-interactive is not served by the webhook plugin");
    }

    void connection_closed(const ConnectionInfo& connection) override {
        for (const auto& request : inflight_.take(connection.connection_id())) {
            request.client->cancel(request.id);
        }
    }

private:
    std::unique_ptr<Endpoint> make_endpoint(const std::optional<WebhookEndpoint>& settings, const char* authtype,
                                            std::string_view path) {
        if (!settings) return nullptr;
        return std::make_unique<Endpoint>(Endpoint{authtype, endpoint_url(settings->http.url, path),
                                                   settings->auth_timeout,
                                                   std::make_unique<HttpClient>(host(), settings->http)});
    }

    // Runs `build`; a value that cannot be sent as JSON fails the attempt.
    template <class Build>
    bool encode(const ConnectionInfo& connection, AuthCompletion& done, Build build) {
        try {
            build();
            return true;
        } catch (const csh::webhook::EncodeError& e) {
            host().log(csh::webhook::codes::HTTP_CLIENT_ENCODE_FAILED, e.what(), {}, connection.connection());
            done.failure(e.what());
            return false;
        }
    }

    void call(Endpoint& endpoint, const ConnectionInfo& connection, std::string body, AuthCompletion done) {
        csh_connection* handle = connection.connection();
        host().log(codes::AUTH, "asking the authentication server",
                   {{"method", endpoint.authtype}, {"url", csh::webhook::redact_url(endpoint.url)}}, handle);

        csh::webhook::PostRequest request;
        request.url = endpoint.url;
        request.json_body = std::move(body);
        request.overall_timeout = endpoint.auth_timeout;
        request.connection = handle;
        request.on_attempt = [this, authtype = endpoint.authtype](const csh::webhook::AttemptReport& attempt) {
            metrics_.request_sent(authtype, attempt.attempt);
            metrics_.request_timed(authtype, attempt.elapsed);
            if (attempt.failure_code != nullptr) {
                metrics_.request_failed(authtype, attempt.attempt, attempt.will_retry, attempt.failure_code);
            } else if (attempt.status != 200) {
                const bool retry = attempt.will_retry;
                metrics_.request_failed(authtype, attempt.attempt, retry,
                                        retry ? codes::AUTH_BACKEND_ERROR : codes::AUTH_INVALID_STATUS);
            }
        };

        auto pending = std::make_shared<Pending>(Pending{std::move(done), handle, std::string(connection.country()),
                                                         std::string(connection.connection_id()), endpoint.authtype});
        HttpClient& client = *endpoint.client;
        inflight_.add(pending->connection_id, pending.get(), &client, [&] {
            return client.post_json(std::move(request),
                                    [this, pending](csh::webhook::HttpResult result) { finish(*pending, result); });
        });
    }

    // What a finished request needs; the ConnectionInfo it started from is gone.
    struct Pending {
        AuthCompletion done;
        csh_connection* connection;  // valid until `done` completes
        std::string country;
        std::string connection_id;
        const char* authtype;
    };

    void finish(Pending& pending, const csh::webhook::HttpResult& result) {
        inflight_.remove(pending.connection_id, &pending);
        const Outcome outcome = csh::webhook::classify(result);
        const std::string_view method = pending.authtype;
        switch (outcome.kind) {
            case Outcome::Kind::cancelled:
                pending.done.unavailable("the connection closed before the authentication server answered");
                return;
            case Outcome::Kind::invalid_status:
                host().log(codes::AUTH_INVALID_STATUS, "the authentication server answered " + outcome.reason,
                           {{"method", method}, {"status", std::to_string(result.status)}}, pending.connection);
                pending.done.unavailable(outcome.reason);
                return;
            case Outcome::Kind::unavailable:
                host().log(codes::AUTH_BACKEND_ERROR, "no answer from the authentication server: " + outcome.reason,
                           {{"method", method}}, pending.connection);
                pending.done.unavailable(outcome.reason);
                return;
            case Outcome::Kind::answered:
                break;
        }
        csh::webhook::AuthResponse response;
        try {
            response = csh::webhook::parse_auth_response(result.body);
        } catch (const csh::webhook::DecodeError& e) {
            metrics_.request_failed(pending.authtype, result.attempts - 1, false,
                                    csh::webhook::codes::HTTP_CLIENT_DECODE_FAILED);
            host().log(csh::webhook::codes::HTTP_CLIENT_DECODE_FAILED, e.what(),
                       {{"method", method}, {"status", "200"}}, pending.connection);
            pending.done.unavailable(e.what());
            return;
        }
        if (!response.update.unknown_fields.empty()) {
            host().log(codes::AUTH_WEBHOOK_UNKNOWN_FIELDS, "ignored fields in the answer",
                       {{"method", method}, {"fields", response.update.unknown_field_list()}}, pending.connection);
        }
        const bool retried = result.attempts > 1;
        metrics_.decided(response.success, pending.country, pending.authtype, retried);
        if (response.success) {
            host().log(codes::AUTH_SUCCESSFUL, "the authentication server accepted", {{"method", method}},
                       pending.connection);
            pending.done.success(response.update.authenticated_username, response.update.items);
        } else {
            host().log(codes::AUTH_FAILED, "the authentication server refused", {{"method", method}},
                       pending.connection);
            pending.done.failure("the authentication server refused");
        }
    }

    // Declared before the endpoints: a client's destructor completes its
    // pending requests through finish(), which uses these.
    AuthWebhookSettings settings_;
    AuthMetrics metrics_;
    InflightRequests inflight_;
    std::unique_ptr<Endpoint> password_;
    std::unique_ptr<Endpoint> public_key_;
    std::unique_ptr<Endpoint> authz_;
};

}  // namespace auth_http

CSH_DECLARE_PLUGIN(auth_http::AuthHttpPlugin, "io.containerssh.auth.http", "Webhook authentication", "0.1.0",
                   "Password, public-key and authorization decisions from a ContainerSSH 0.5 auth webhook server.",
                   CSH_PROVIDES("auth/webhook"), auth_http::kMessageTable)
