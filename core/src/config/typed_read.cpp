#include "config/typed_read.hpp"

#include "config/duration.hpp"
#include "config/scalar.hpp"

namespace csh::config::detail {

const Value& child(const Value& mapping, std::string_view key) {
    static const ValuePtr absent = make_null();
    const Value* found = mapping.is_mapping() ? mapping.get(key) : nullptr;
    return found != nullptr ? *found : *absent;
}

std::string text_of(const Value& value) { return value.is_scalar() ? value.text : std::string(); }

bool bool_of(const Value& value) { return parse_bool(value).value_or(false); }

std::int64_t integer_of(const Value& value) { return parse_integer(value).value_or(0); }

std::int64_t duration_of(const Value& value) { return parse_duration(value).value_or(0); }

std::vector<ValuePtr> items_of(const Value& value, char separator) {
    if (value.is_sequence()) return value.items;
    std::vector<ValuePtr> items;
    if (!value.is_scalar() || separator == 0) return items;
    std::size_t start = 0;
    while (start <= value.text.size()) {
        std::size_t end = value.text.find(separator, start);
        if (end == std::string::npos) end = value.text.size();
        items.push_back(make_scalar(value.text.substr(start, end - start), true, value.position));
        start = end + 1;
    }
    return items;
}

std::vector<std::string> texts_of(const Value& value, char separator) {
    std::vector<std::string> texts;
    for (const ValuePtr& item : items_of(value, separator)) texts.push_back(text_of(*item));
    return texts;
}

}  // namespace csh::config::detail
