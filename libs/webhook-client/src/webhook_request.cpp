#include "csh/webhook/webhook_request.hpp"

#include <containerssh/sdk/base64.hpp>
#include <containerssh/sdk/json_writer.hpp>

#include <simdjson.h>

#include <map>
#include <utility>

namespace csh::webhook {
namespace {

using sdk::JsonWriter;

// JSON strings must be UTF-8; a user name or an environment value from an
// SSH client need not be. Refusing is better than sending bytes the auth
// server's parser rejects or silently rewrites.
std::string_view checked_text(std::string_view text, std::string_view field) {
    if (!simdjson::validate_utf8(text.data(), text.size())) {
        throw EncodeError("the request field " + std::string(field) + " is not valid UTF-8");
    }
    return text;
}

const char* map_name(csh_metadata_kind kind) {
    switch (kind) {
        case CSH_METADATA_ENVIRONMENT: return "environment";
        case CSH_METADATA_FILE: return "files";
        default: return "metadata";
    }
}

// The three maps, each omitted when empty (as ContainerSSH's omitempty does).
// The connection's metadata already holds the last value of each key.
void write_metadata_maps(JsonWriter& out, const csh_metadata& metadata, SensitiveItems sensitive) {
    std::map<csh_metadata_kind, std::vector<const csh_metadata_entry*>> by_kind;
    for (size_t i = 0; i < metadata.count; ++i) {
        const csh_metadata_entry& entry = metadata.entries[i];
        if (entry.sensitive != 0 && sensitive == SensitiveItems::withhold) continue;
        by_kind[entry.kind].push_back(&entry);
    }
    for (csh_metadata_kind kind : {CSH_METADATA_GENERIC, CSH_METADATA_ENVIRONMENT, CSH_METADATA_FILE}) {
        auto it = by_kind.find(kind);
        if (it == by_kind.end()) continue;
        const std::string map = map_name(kind);
        out.key(map).begin_object();
        for (const csh_metadata_entry* entry : it->second) {
            const std::string_view key = sdk::view(entry->key);
            out.key(checked_text(key, map + " key"));
            out.begin_object().key("value");
            if (kind == CSH_METADATA_FILE) {
                out.value(sdk::base64_encode(sdk::view(entry->value)));
            } else {
                out.value(checked_text(sdk::view(entry->value), map + "." + std::string(key)));
            }
            out.key("sensitive").value(entry->sensitive != 0);
            out.end_object();
        }
        out.end_object();
    }
}

// The common connection object (reference §3.2), left open for the caller's
// endpoint-specific fields.
void begin_connection_object(JsonWriter& out, const sdk::ConnectionInfo& connection, bool authenticated,
                             SensitiveItems sensitive) {
    out.begin_object();
    out.key("username").value(checked_text(connection.username(), "username"));
    if (authenticated && !connection.authenticated_username().empty()) {
        out.key("authenticatedUsername")
            .value(checked_text(connection.authenticated_username(), "authenticatedUsername"));
    }
    out.key("remoteAddress").value(connection.remote_address());
    out.key("connectionId").value(connection.connection_id());
    out.key("clientVersion").value(checked_text(connection.client_version(), "clientVersion"));
    write_metadata_maps(out, connection.raw_metadata(), sensitive);
}

}  // namespace

std::string password_request(const sdk::ConnectionInfo& connection, std::string_view password,
                             SensitiveItems sensitive) {
    JsonWriter out;
    begin_connection_object(out, connection, false, sensitive);
    out.key("passwordBase64").value(sdk::base64_encode(password));
    out.end_object();
    return out.take();
}

std::string public_key_request(const sdk::ConnectionInfo& connection, std::string_view authorized_key,
                               SensitiveItems sensitive) {
    JsonWriter out;
    begin_connection_object(out, connection, false, sensitive);
    out.key("publicKey").value(checked_text(authorized_key, "publicKey"));
    out.end_object();
    return out.take();
}

std::string authenticated_request(const sdk::ConnectionInfo& connection, SensitiveItems sensitive) {
    JsonWriter out;
    begin_connection_object(out, connection, true, sensitive);
    out.end_object();
    return out.take();
}

}  // namespace csh::webhook
