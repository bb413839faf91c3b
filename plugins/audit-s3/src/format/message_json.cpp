#include "format/message_json.hpp"

#include "format/json_text.hpp"
#include "format/message_types.hpp"

#include <containerssh/sdk/base64.hpp>

#include <charconv>
#include <cmath>

namespace audit_s3 {
namespace {

constexpr JsonEscape kGoEscape = JsonEscape::html_safe;

void append_uint(std::string& out, uint64_t value) { out += std::to_string(value); }

void append_negint(std::string& out, uint64_t n) {
    // CBOR's negative integers are -1 - n, down to -2^64.
    if (n == UINT64_MAX) {
        out += "-18446744073709551616";
        return;
    }
    out += '-';
    out += std::to_string(n + 1);
}

void append_float(std::string& out, double value) {
    if (!std::isfinite(value)) {
        out += "null";
        return;
    }
    char text[32];
    const auto result = std::to_chars(text, text + sizeof text, value);
    out.append(text, result.ptr);
}

void append_simple(std::string& out, const cbor_item_t* item) {
    if (!cbor_float_ctrl_is_ctrl(item)) {
        append_float(out, cbor_float_get_float(item));
    } else if (cbor_is_boolean(item)) {
        out += cbor_get_bool(item) ? "true" : "false";
    } else {
        out += "null";  // null, undefined, unassigned simple values
    }
}

}  // namespace

// Nesting is bounded by the decoder (BinaryDecoder::kMaxDepth).
void append_cbor_json(std::string& out, const cbor_item_t* item) {
    switch (cbor_typeof(item)) {
    case CBOR_TYPE_UINT:
        append_uint(out, cbor_get_int(item));
        return;
    case CBOR_TYPE_NEGINT:
        append_negint(out, cbor_get_int(item));
        return;
    case CBOR_TYPE_BYTESTRING:
        append_json_string(out, csh::sdk::base64_encode(cbor_string_content(item)), kGoEscape);
        return;
    case CBOR_TYPE_STRING:
        append_json_string(out, cbor_string_content(item), kGoEscape);
        return;
    case CBOR_TYPE_ARRAY: {
        out += '[';
        cbor_item_t** items = cbor_array_handle(item);
        for (std::size_t i = 0; i < cbor_array_size(item); ++i) {
            if (i > 0) out += ',';
            append_cbor_json(out, items[i]);
        }
        out += ']';
        return;
    }
    case CBOR_TYPE_MAP: {
        out += '{';
        const cbor_pair* pairs = cbor_map_handle(item);
        for (std::size_t i = 0; i < cbor_map_size(item); ++i) {
            if (i > 0) out += ',';
            if (cbor_isa_string(pairs[i].key)) {
                append_json_string(out, cbor_string_content(pairs[i].key), kGoEscape);
            } else {
                std::string key;
                append_cbor_json(key, pairs[i].key);
                append_json_string(out, key, kGoEscape);
            }
            out += ':';
            append_cbor_json(out, pairs[i].value);
        }
        out += '}';
        return;
    }
    case CBOR_TYPE_TAG: {
        const CborItem tagged(cbor_tag_item(item));  // cbor_tag_item adds a reference
        append_cbor_json(out, tagged.get());
        return;
    }
    case CBOR_TYPE_FLOAT_CTRL:
        append_simple(out, item);
        return;
    }
    out += "null";
}

void append_message_json(std::string& out, const DecodedMessage& message) {
    const MessageTypeNames names = message_type_names(message.type);
    out += "{\"connectionId\":";
    append_json_string(out, message.connection_id, kGoEscape);
    out += ",\"timestamp\":";
    out += std::to_string(message.timestamp_ns);
    out += ",\"type\":";
    out += std::to_string(message.type);
    out += ",\"typeId\":";
    append_json_string(out, names.id, kGoEscape);
    out += ",\"typeName\":";
    append_json_string(out, names.name, kGoEscape);
    out += ",\"payload\":";
    if (message.payload) {
        append_cbor_json(out, message.payload.get());
    } else {
        out += "null";
    }
    out += ",\"channelId\":";
    if (message.channel_id) {
        append_uint(out, *message.channel_id);
    } else {
        out += "null";
    }
    out += '}';
}

}  // namespace audit_s3
