#include "webhook_request.hpp"

#include <simdjson.h>

namespace example_server {
namespace {

// Copies object[key] into `out` when present; it must be a string.
void read_string(simdjson::dom::object object, const char* key, std::string& out) {
    simdjson::dom::element element;
    if (object[key].get(element) != simdjson::SUCCESS) return;  // absent
    if (element.is_null()) return;
    std::string_view text;
    if (element.get(text) != simdjson::SUCCESS) {
        throw RequestDecodeError(std::string("the field ") + key + " must be a string");
    }
    out.assign(text);
}

}  // namespace

WebhookRequest parse_webhook_request(std::string_view body) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    // The body is copied into a padded buffer by simdjson (realloc_if_needed).
    if (const auto error = parser.parse(body.data(), body.size(), true).get(root); error != simdjson::SUCCESS) {
        throw RequestDecodeError(std::string("the body is not valid JSON: ") + simdjson::error_message(error));
    }
    simdjson::dom::object object;
    if (root.get(object) != simdjson::SUCCESS) throw RequestDecodeError("the body is not a JSON object");

    WebhookRequest request;
    read_string(object, "connectionId", request.connection_id);
    read_string(object, "remoteAddress", request.remote_address);
    read_string(object, "username", request.username);
    read_string(object, "authenticatedUsername", request.authenticated_username);
    read_string(object, "passwordBase64", request.password_base64);
    read_string(object, "publicKey", request.public_key);
    return request;
}

}  // namespace example_server
