#include "format/message_event.hpp"

#include "format/message_json.hpp"

namespace audit_s3 {

csh_str MessageEvent::keep(std::string text) {
    texts_.push_back(std::move(text));
    return csh_str{texts_.back().data(), texts_.back().size()};
}

MessageEvent::MessageEvent(const DecodedMessage& message) {
    if (message.payload && cbor_isa_map(message.payload.get())) {
        const cbor_pair* pairs = cbor_map_handle(message.payload.get());
        for (std::size_t i = 0; i < cbor_map_size(message.payload.get()); ++i) {
            const cbor_item_t* value = pairs[i].value;
            csh_audit_field field{};
            field.key = keep(cbor_string_content(pairs[i].key));
            if (cbor_isa_string(value)) {
                field.type = CSH_AUDIT_VALUE_STRING;
                field.value.string = keep(cbor_string_content(value));
            } else if (cbor_isa_bytestring(value)) {
                field.type = CSH_AUDIT_VALUE_BYTES;
                const csh_str bytes = keep(cbor_string_content(value));
                field.value.bytes = csh_bytes{reinterpret_cast<const uint8_t*>(bytes.data), bytes.size};
            } else if (cbor_isa_uint(value)) {
                field.type = CSH_AUDIT_VALUE_UINT;
                field.value.uint_value = cbor_get_int(value);
            } else if (cbor_isa_negint(value) && cbor_get_int(value) <= static_cast<uint64_t>(INT64_MAX)) {
                field.type = CSH_AUDIT_VALUE_INT;
                field.value.int_value = -1 - static_cast<int64_t>(cbor_get_int(value));
            } else if (cbor_is_boolean(value)) {
                field.type = CSH_AUDIT_VALUE_BOOL;
                field.value.bool_value = cbor_get_bool(value) ? 1 : 0;
            } else {
                field.type = CSH_AUDIT_VALUE_JSON;
                std::string json;
                append_cbor_json(json, value);
                field.value.string = keep(std::move(json));
            }
            fields_.push_back(field);
        }
    }
    raw_.struct_size = sizeof raw_;
    raw_.type = message.type;
    raw_.timestamp_ns = message.timestamp_ns;
    raw_.channel_id = message.channel_id && *message.channel_id <= static_cast<uint64_t>(INT64_MAX)
                          ? static_cast<int64_t>(*message.channel_id)
                          : CSH_AUDIT_NO_CHANNEL;
    raw_.connection_id = csh_str{message.connection_id.data(), message.connection_id.size()};
    raw_.payload = fields_.empty() ? nullptr : fields_.data();
    raw_.payload_count = fields_.size();
}

}  // namespace audit_s3
