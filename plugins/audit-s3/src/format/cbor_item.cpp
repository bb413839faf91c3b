#include "format/cbor_item.hpp"

namespace audit_s3 {

std::string cbor_string_content(const cbor_item_t* item) {
    const bool text = cbor_isa_string(item);
    if (!text && !cbor_isa_bytestring(item)) return {};
    const bool definite = text ? cbor_string_is_definite(item) : cbor_bytestring_is_definite(item);
    if (definite) {
        const unsigned char* data = text ? cbor_string_handle(item) : cbor_bytestring_handle(item);
        const std::size_t size = text ? cbor_string_length(item) : cbor_bytestring_length(item);
        return data == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(data), size);
    }
    std::string joined;
    cbor_item_t** chunks = text ? cbor_string_chunks_handle(item) : cbor_bytestring_chunks_handle(item);
    const std::size_t count = text ? cbor_string_chunk_count(item) : cbor_bytestring_chunk_count(item);
    // libcbor only builds indefinite strings from definite chunks.
    for (std::size_t i = 0; i < count; ++i) joined += cbor_string_content(chunks[i]);
    return joined;
}

bool cbor_is_null_or_undefined(const cbor_item_t* item) {
    if (!cbor_isa_float_ctrl(item) || !cbor_float_ctrl_is_ctrl(item)) return false;
    return cbor_ctrl_value(item) == CBOR_CTRL_NULL || cbor_ctrl_value(item) == CBOR_CTRL_UNDEF;
}

bool cbor_is_boolean(const cbor_item_t* item) {
    if (!cbor_isa_float_ctrl(item) || !cbor_float_ctrl_is_ctrl(item)) return false;
    return cbor_ctrl_value(item) == CBOR_CTRL_TRUE || cbor_ctrl_value(item) == CBOR_CTRL_FALSE;
}

}  // namespace audit_s3
