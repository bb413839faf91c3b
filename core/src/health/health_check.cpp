#include "health/health_check.hpp"

#include "log/codes.hpp"

#include <containerssh/sdk/json_config.hpp>
#include <csh/webhook/http_get.hpp>
#include <csh/webhook/http_settings.hpp>

namespace csh::health {

CheckResult check_health(std::string_view health_section_json) {
    const sdk::JsonConfig config(health_section_json, codes::CORE_CONFIG_ERROR, "health");
    const auto client = config.root().get("client");
    if (!client) throw sdk::Error(codes::CORE_CONFIG_ERROR, "health.client.url is not set", {{"key", "health.client"}});
    const auto settings = webhook::HttpClientSettings::parse(*client);

    const auto answer = webhook::http_get(settings);
    if (!answer.error.empty()) return {false, settings.url + ": " + answer.error};
    // The body is a JSON string; ContainerSSH's server may end it with a newline.
    std::string body = answer.body;
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
    const bool ok = answer.status == 200 && body == "\"ok\"";
    return {ok, settings.url + " answered " + std::to_string(answer.status) + " " + body.substr(0, 200)};
}

}  // namespace csh::health
