#include "format/json_to_cbor.hpp"

namespace audit_s3 {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// simdjson bounds the depth (1024 by default), so this recursion is bounded.
void put_element(const element& value, CborBuffer& out) {
    switch (value.type()) {
    case element_type::OBJECT: {
        const simdjson::dom::object object = value.get_object().value_unsafe();
        out.put_map_start(object.size());
        for (const auto field : object) {
            out.put_text(field.key);
            put_element(field.value, out);
        }
        return;
    }
    case element_type::ARRAY: {
        const simdjson::dom::array array = value.get_array().value_unsafe();
        out.put_array_start(array.size());
        for (const element item : array) put_element(item, out);
        return;
    }
    case element_type::STRING:
        out.put_text(value.get_string().value_unsafe());
        return;
    case element_type::INT64:
        out.put_int(value.get_int64().value_unsafe());
        return;
    case element_type::UINT64:
        out.put_uint(value.get_uint64().value_unsafe());
        return;
    case element_type::DOUBLE:
        out.put_double(value.get_double().value_unsafe());
        return;
    case element_type::BOOL:
        out.put_bool(value.get_bool().value_unsafe());
        return;
    case element_type::NULL_VALUE:
        out.put_null();
        return;
    }
}

}  // namespace

bool JsonToCbor::convert(std::string_view json, CborBuffer& out) {
    element root;
    if (parser_.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) return false;
    put_element(root, out);
    return true;
}

}  // namespace audit_s3
