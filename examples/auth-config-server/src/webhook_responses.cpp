#include "webhook_responses.hpp"

#include "json_writer.hpp"

namespace example_server {
namespace {

// The users file has no way to mark a value sensitive (an example keeps
// secrets out of it), so every value goes out as not sensitive.
void write_environment(JsonWriter& json, const std::map<std::string, std::string>& environment) {
    if (environment.empty()) return;
    json.key("environment").begin_object();
    for (const auto& [name, value] : environment) {
        json.key(name).begin_object();
        json.key("value").value(value);
        json.key("sensitive").value(false);
        json.end_object();
    }
    json.end_object();
}

}  // namespace

std::string auth_response(bool success, const std::string& authenticated_username,
                          const std::map<std::string, std::string>& environment) {
    JsonWriter json;
    json.begin_object();
    json.key("success").value(success);
    if (success) {
        json.key("authenticatedUsername").value(authenticated_username);
        write_environment(json, environment);
    }
    json.end_object();
    return json.take();
}

std::string config_response(const User* user) {
    JsonWriter json;
    json.begin_object();
    json.key("config").raw(user != nullptr ? user->config_json : "{}");
    if (user != nullptr) write_environment(json, user->environment);
    json.end_object();
    return json.take();
}

std::string error_body(std::string_view message) {
    JsonWriter json;
    json.begin_object();
    json.key("error").value(message);
    json.end_object();
    return json.take();
}

}  // namespace example_server
