#include "event_json.hpp"

#include <containerssh/sdk/base64.hpp>
#include <containerssh/sdk/json_writer.hpp>

#include <simdjson.h>

namespace audit_recorder {
namespace {

bool is_valid_json(std::string_view text) {
    simdjson::dom::parser parser;
    simdjson::dom::element ignored;
    return parser.parse(text.data(), text.size(), true).get(ignored) == simdjson::SUCCESS;
}

void write_value(csh::sdk::JsonWriter& json, const csh::sdk::AuditField& field) {
    switch (field.type()) {
        case CSH_AUDIT_VALUE_STRING: json.value(field.string()); break;
        case CSH_AUDIT_VALUE_BYTES: json.value(csh::sdk::base64_encode(field.bytes())); break;
        case CSH_AUDIT_VALUE_INT: json.value(static_cast<std::int64_t>(field.int_value())); break;
        case CSH_AUDIT_VALUE_UINT: json.value(static_cast<std::uint64_t>(field.uint_value())); break;
        case CSH_AUDIT_VALUE_BOOL: json.value(field.bool_value()); break;
        case CSH_AUDIT_VALUE_JSON:
            if (is_valid_json(field.string())) {
                json.raw(field.string());
            } else {
                json.value(field.string());
            }
            break;
        default: json.null(); break;  // a value type from a newer ABI minor
    }
}

}  // namespace

std::string event_to_json_line(const csh::sdk::AuditEvent& event, std::string_view fallback_connection_id) {
    csh::sdk::JsonWriter json;
    json.begin_object();
    json.key("connectionId").value(event.connection_id().empty() ? fallback_connection_id : event.connection_id());
    json.key("type").value(static_cast<std::uint64_t>(event.type()));
    json.key("timestamp").value(static_cast<std::int64_t>(event.timestamp_ns()));
    json.key("channelId");
    if (auto channel = event.channel_id()) {
        json.value(static_cast<std::int64_t>(*channel));
    } else {
        json.null();
    }
    json.key("payload").begin_object();
    for (size_t i = 0; i < event.field_count(); ++i) {
        const csh::sdk::AuditField field = event.field(i);
        json.key(field.key());
        write_value(json, field);
    }
    json.end_object();
    json.end_object();
    std::string line = json.take();
    line += '\n';
    return line;
}

}  // namespace audit_recorder
