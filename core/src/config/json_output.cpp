#include "config/json_output.hpp"

#include "config/duration.hpp"
#include "config/scalar.hpp"
#include "config/typed_read.hpp"

namespace csh::config::detail {
namespace {

void write_plain_scalar(sdk::JsonWriter& out, const std::string& text) {
    switch (classify_plain(text)) {
        case Literal::null:
            out.null();
            return;
        case Literal::boolean:
            out.value(text[0] == 't' || text[0] == 'T');
            return;
        case Literal::integer:
        case Literal::number:
            if (auto number = json_number(text)) {
                out.raw(*number);
                return;
            }
            break;  // .inf, .nan, beyond 64 bits: JSON cannot hold it, keep the text
        case Literal::text:
            break;
    }
    out.value(text);
}

void write_free_form(sdk::JsonWriter& out, const Value& value) {
    switch (value.kind) {
        case Value::Kind::null:
            out.null();
            return;
        case Value::Kind::scalar:
            if (value.quoted) {
                out.value(value.text);
            } else {
                write_plain_scalar(out, value.text);
            }
            return;
        case Value::Kind::sequence:
            out.begin_array();
            for (const ValuePtr& item : value.items) write_free_form(out, *item);
            out.end_array();
            return;
        case Value::Kind::mapping:
            out.begin_object();
            for (const Entry& entry : value.entries) {
                out.key(entry.key);
                write_free_form(out, *entry.value);
            }
            out.end_object();
            return;
    }
}

// The typed spelling of a leaf; false when the value is not of the type
// (then it is written as free form, so nothing is ever lost).
bool write_typed_leaf(sdk::JsonWriter& out, const schema::Node& node, const Value& value) {
    if (!value.is_scalar()) return false;
    switch (node.type) {
        case schema::Type::text:
            out.value(value.text);
            return true;
        case schema::Type::boolean:
            if (auto flag = parse_bool(value)) {
                out.value(*flag);
                return true;
            }
            return false;
        case schema::Type::integer:
            if (auto number = parse_integer(value)) {
                out.value(static_cast<std::int64_t>(*number));
                return true;
            }
            return false;
        case schema::Type::number:
            if (auto number = json_number(value.text)) {
                out.raw(*number);
                return true;
            }
            return false;
        case schema::Type::duration:
            if (auto nanos = parse_duration(value)) {
                out.value(format_go_duration(*nanos));
                return true;
            }
            return false;
        default:
            return false;
    }
}

}  // namespace

void write_json(sdk::JsonWriter& out, const schema::Node* node, const Value& value) {
    if (node == nullptr || node->type == schema::Type::free_form || value.is_null()) {
        write_free_form(out, value);
        return;
    }
    switch (node->type) {
        case schema::Type::object:
        case schema::Type::map_of:
            if (!value.is_mapping()) break;
            out.begin_object();
            for (const Entry& entry : value.entries) {
                out.key(entry.key);
                const schema::Node* child_node =
                    node->type == schema::Type::object ? node->field(entry.key) : node->element.get();
                write_json(out, child_node, *entry.value);
            }
            out.end_object();
            return;
        case schema::Type::list_of:
            if (!value.is_sequence() && !(value.is_scalar() && node->separator != 0)) break;
            out.begin_array();
            for (const ValuePtr& item : items_of(value, node->separator)) write_json(out, node->element.get(), *item);
            out.end_array();
            return;
        default:
            if (write_typed_leaf(out, *node, value)) return;
            break;
    }
    write_free_form(out, value);
}

}  // namespace csh::config::detail
