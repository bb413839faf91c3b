#include "csh/webhook/webhook_response.hpp"

#include <containerssh/sdk/base64.hpp>

#include <simdjson.h>


namespace csh::webhook {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// Fields a response may echo from the request; accepted and ignored.
constexpr std::string_view kEchoedFields[] = {"username",     "remoteAddress", "connectionId",
                                              "clientVersion", "sessionId"};

bool is_echoed(std::string_view name) {
    for (std::string_view n : kEchoedFields) {
        if (n == name) return true;
    }
    return false;
}

object parse_object(simdjson::dom::parser& parser, std::string_view body) {
    element root;
    if (parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS) {
        throw DecodeError("the response body is not valid JSON");
    }
    object top;
    if (root.get_object().get(top) != simdjson::SUCCESS) {
        throw DecodeError("the response body is not a JSON object");
    }
    return top;
}

// One of the three maps: {name: {"value": string, "sensitive": bool}}.
void read_map(const element& map, std::string_view map_name, csh_metadata_kind kind, sdk::Metadata& out) {
    if (map.is_null()) return;
    object entries;
    if (map.get_object().get(entries) != simdjson::SUCCESS) {
        throw DecodeError("the response field " + std::string(map_name) + " is not an object");
    }
    for (const auto& [key, item] : entries) {
        const std::string where = std::string(map_name) + "." + std::string(key);
        object fields;
        if (item.get_object().get(fields) != simdjson::SUCCESS) {
            throw DecodeError("the response field " + where + " is not an object with value and sensitive");
        }
        std::string_view value;
        bool sensitive = false;
        for (const auto& [name, field] : fields) {
            if (name == "value") {
                if (!field.is_null() && field.get_string().get(value) != simdjson::SUCCESS) {
                    throw DecodeError("the response field " + where + ".value is not a string");
                }
            } else if (name == "sensitive") {
                if (!field.is_null() && field.get_bool().get(sensitive) != simdjson::SUCCESS) {
                    throw DecodeError("the response field " + where + ".sensitive is not true or false");
                }
            }
        }
        if (kind == CSH_METADATA_FILE) {
            auto content = sdk::base64_decode(value);
            if (!content) throw DecodeError("the response field " + where + ".value is not base64");
            out.add(kind, std::string(key), std::move(*content), sensitive);
        } else {
            out.add(kind, std::string(key), std::string(value), sensitive);
        }
    }
}

// Reads a field every response may carry; false when `name` is not one.
bool read_common_field(std::string_view name, const element& value, MetadataUpdate& update) {
    if (name == "authenticatedUsername") {
        std::string_view user;
        if (!value.is_null() && value.get_string().get(user) != simdjson::SUCCESS) {
            throw DecodeError("the response field authenticatedUsername is not a string");
        }
        update.authenticated_username = std::string(user);
    } else if (name == "metadata") {
        read_map(value, name, CSH_METADATA_GENERIC, update.items);
    } else if (name == "environment") {
        read_map(value, name, CSH_METADATA_ENVIRONMENT, update.items);
    } else if (name == "files") {
        read_map(value, name, CSH_METADATA_FILE, update.items);
    } else if (!is_echoed(name)) {
        return false;
    }
    return true;
}

}  // namespace

std::string MetadataUpdate::unknown_field_list() const {
    std::string out;
    for (const auto& name : unknown_fields) out += (out.empty() ? "" : ", ") + name;
    return out;
}

AuthResponse parse_auth_response(std::string_view body) {
    simdjson::dom::parser parser;
    AuthResponse response;
    for (const auto& [name, value] : parse_object(parser, body)) {
        if (name == "success") {
            if (!value.is_null() && value.get_bool().get(response.success) != simdjson::SUCCESS) {
                throw DecodeError("the response field success is not true or false");
            }
        } else if (!read_common_field(name, value, response.update)) {
            response.update.unknown_fields.emplace_back(name);
        }
    }
    return response;
}

ConfigResponse parse_config_response(std::string_view body) {
    simdjson::dom::parser parser;
    ConfigResponse response;
    for (const auto& [name, value] : parse_object(parser, body)) {
        if (name == "config") {
            if (value.is_null()) continue;
            if (!value.is_object()) throw DecodeError("the response field config is not an object");
            response.config_json = simdjson::minify(value);
        } else if (!read_common_field(name, value, response.update)) {
            response.update.unknown_fields.emplace_back(name);
        }
    }
    return response;
}

}  // namespace csh::webhook
