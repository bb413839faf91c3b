// config-http: ContainerSSH's configuration-server webhook (provides
// "config/http"). After login the server's answer (a partial configuration
// plus metadata) is handed to the host, which merges it over the file for
// this connection only and validates it.
#include "config_metrics.hpp"
#include "messages.hpp"

#include <containerssh/sdk/config.hpp>
#include <containerssh/sdk/json_config.hpp>
#include <containerssh/sdk/plugin.hpp>
#include <csh/webhook/http_client.hpp>
#include <csh/webhook/http_settings.hpp>
#include <csh/webhook/messages.hpp>
#include <csh/webhook/url_redaction.hpp>
#include <csh/webhook/webhook_outcome.hpp>
#include <csh/webhook/webhook_request.hpp>
#include <csh/webhook/webhook_response.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

namespace config_http {

using csh::sdk::ConfigCompletion;
using csh::sdk::ConnectionInfo;
using csh::webhook::Outcome;

namespace {

// ContainerSSH gives the configuration server 60 s in all, retries included.
constexpr std::chrono::milliseconds kOverallTimeout{60'000};

struct Settings {
    csh::webhook::HttpClientSettings http;
    csh::webhook::SensitiveItems sensitive = csh::webhook::SensitiveItems::withhold;
};

Settings parse_settings(std::string_view configserver_json) {
    csh::sdk::JsonConfig config(configserver_json, codes::CONFIG_HTTP_CONFIG_INVALID, "configserver");
    const csh::sdk::ConfigNode root = config.root();
    if (!root.is_object()) root.fail("the configserver section is missing");
    Settings settings;
    settings.http = csh::webhook::HttpClientSettings::parse(root);
    if (settings.http.url.empty()) root.fail("url must be set to use the configuration server");
    if (root.boolean("transmitSensitiveMetadata", false)) settings.sensitive = csh::webhook::SensitiveItems::transmit;
    return settings;
}


}  // namespace

class ConfigHttpPlugin final : public csh::sdk::ConfigPlugin {
public:
    explicit ConfigHttpPlugin(csh::sdk::Host host)
        : Plugin(host),
          settings_(parse_settings(host.config_section("configserver"))),
          metrics_(host),
          client_(std::make_unique<csh::webhook::HttpClient>(host, settings_.http)) {}

protected:
    void connection_config(const ConnectionInfo& connection, ConfigCompletion done) override {
        csh_connection* handle = connection.connection();
        std::string body;
        try {
            body = csh::webhook::authenticated_request(connection, settings_.sensitive);
        } catch (const csh::webhook::EncodeError& e) {
            host().log(csh::webhook::codes::HTTP_CLIENT_ENCODE_FAILED, e.what(), {}, handle);
            done.fail(e.what());
            return;
        }
        host().log(codes::CONFIG_REQUEST, "asking the configuration server",
                   {{"url", csh::webhook::redact_url(settings_.http.url)}}, handle);

        csh::webhook::PostRequest request;
        request.url = settings_.http.url;  // as configured: ContainerSSH adds no path
        request.json_body = std::move(body);
        request.overall_timeout = kOverallTimeout;
        request.connection = handle;
        request.on_attempt = [this, handle](const csh::webhook::AttemptReport& attempt) {
            note_availability(attempt, handle);
            metrics_.request_sent(attempt.attempt);
            metrics_.request_timed(attempt.elapsed);
            if (attempt.failure_code != nullptr) {
                metrics_.request_failed(attempt.attempt, attempt.will_retry, attempt.failure_code);
            } else if (attempt.status != 200) {
                metrics_.request_failed(attempt.attempt, attempt.will_retry,
                                        attempt.will_retry ? codes::CONFIG_BACKEND_ERROR
                                                           : codes::CONFIG_INVALID_STATUS_CODE);
            }
        };
        auto pending = std::make_shared<Pending>(Pending{std::move(done), handle});
        client_->post_json(std::move(request),
                           [this, pending](csh::webhook::HttpResult result) { finish(*pending, result); });
    }

private:
    struct Pending {
        ConfigCompletion done;
        csh_connection* connection;  // valid until `done` completes
    };

    void finish(Pending& pending, const csh::webhook::HttpResult& result) {
        const Outcome outcome = csh::webhook::classify(result);
        switch (outcome.kind) {
            case Outcome::Kind::cancelled:
                pending.done.fail("the request to the configuration server was cancelled", CSH_UNAVAILABLE);
                return;
            case Outcome::Kind::invalid_status:
                host().log(codes::CONFIG_INVALID_STATUS_CODE, "the configuration server answered " + outcome.reason,
                           {{"status", std::to_string(result.status)}}, pending.connection);
                pending.done.fail(outcome.reason);
                return;
            case Outcome::Kind::unavailable:
                host().log(codes::CONFIG_BACKEND_ERROR, "no answer from the configuration server: " + outcome.reason,
                           {}, pending.connection);
                pending.done.fail(outcome.reason, CSH_UNAVAILABLE);
                return;
            case Outcome::Kind::answered:
                break;
        }
        csh::webhook::ConfigResponse response;
        try {
            response = csh::webhook::parse_config_response(result.body);
        } catch (const csh::webhook::DecodeError& e) {
            metrics_.request_failed(result.attempts - 1, false, csh::webhook::codes::HTTP_CLIENT_DECODE_FAILED);
            host().log(csh::webhook::codes::HTTP_CLIENT_DECODE_FAILED, e.what(), {{"status", "200"}},
                       pending.connection);
            pending.done.fail(e.what(), CSH_UNAVAILABLE);
            return;
        }
        if (!response.update.unknown_fields.empty()) {
            host().log(codes::CONFIG_HTTP_UNKNOWN_FIELDS, "ignored fields in the answer",
                       {{"fields", response.update.unknown_field_list()}}, pending.connection);
        }
        host().log(codes::CONFIG_RESPONSE, "the configuration server answered", {}, pending.connection);
        pending.done.success(response.config_json, response.update.items, response.update.authenticated_username);
    }

    // An attempt that got no answer (unreachable, timed out, 5xx or 429)
    // marks the server down; the first 200 after that says it is back, once,
    // so an operator sees where an outage ended and not only its errors.
    void note_availability(const csh::webhook::AttemptReport& attempt, csh_connection* connection) {
        const bool down = attempt.failure_code != nullptr || attempt.status >= 500 || attempt.status == 429;
        if (down) {
            server_down_.store(true);
        } else if (attempt.status == 200 && server_down_.exchange(false)) {
            host().log(codes::CONFIG_SERVER_AVAILABLE, "the configuration server answers again",
                       {{"url", csh::webhook::redact_url(settings_.http.url)}}, connection);
        }
    }

    std::atomic<bool> server_down_{false};
    // Declared before the client: its destructor completes pending requests
    // through finish(), which uses these.
    Settings settings_;
    ConfigMetrics metrics_;
    std::unique_ptr<csh::webhook::HttpClient> client_;
};

}  // namespace config_http

CSH_DECLARE_PLUGIN(config_http::ConfigHttpPlugin, "io.containerssh.config.http", "Configuration server",
                   "0.1.0",
                   "Per-user configuration from a ContainerSSH 0.5 configuration server, merged over the file.",
                   CSH_PROVIDES("config/http"), config_http::kMessageTable)
