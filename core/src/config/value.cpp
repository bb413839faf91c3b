#include "config/value.hpp"

namespace csh::config::detail {

const Entry* Value::find(std::string_view key) const {
    for (const Entry& entry : entries) {
        if (entry.key == key) return &entry;
    }
    return nullptr;
}

const Value* Value::get(std::string_view key) const {
    const Entry* entry = find(key);
    return entry ? entry->value.get() : nullptr;
}

ValuePtr make_null(Position position) {
    auto value = std::make_shared<Value>();
    value->position = std::move(position);
    return value;
}

ValuePtr make_scalar(std::string text, bool quoted, Position position) {
    auto value = std::make_shared<Value>();
    value->kind = Value::Kind::scalar;
    value->text = std::move(text);
    value->quoted = quoted;
    value->position = std::move(position);
    return value;
}

ValuePtr make_sequence(std::vector<ValuePtr> items, Position position, bool flow) {
    auto value = std::make_shared<Value>();
    value->kind = Value::Kind::sequence;
    value->flow = flow;
    value->items = std::move(items);
    value->position = std::move(position);
    return value;
}

ValuePtr make_mapping(std::vector<Entry> entries, Position position, bool flow) {
    auto value = std::make_shared<Value>();
    value->kind = Value::Kind::mapping;
    value->flow = flow;
    value->entries = std::move(entries);
    value->position = std::move(position);
    return value;
}

ValuePtr with_entry(const ValuePtr& map, std::string_view key, ValuePtr value) {
    std::vector<Entry> entries;
    Position position;
    if (map && map->is_mapping()) {
        entries = map->entries;
        position = map->position;
    }
    for (Entry& entry : entries) {
        if (entry.key == key) {
            entry.value = std::move(value);
            return make_mapping(std::move(entries), position);
        }
    }
    entries.push_back(Entry{std::string(key), {}, std::move(value)});
    return make_mapping(std::move(entries), position);
}

ValuePtr without_entry(const ValuePtr& map, std::string_view key) {
    if (!map || !map->is_mapping()) return map;
    std::vector<Entry> entries;
    for (const Entry& entry : map->entries) {
        if (entry.key != key) entries.push_back(entry);
    }
    return make_mapping(std::move(entries), map->position);
}

bool same_content(const Value& a, const Value& b) {
    if (a.kind != b.kind) return false;
    switch (a.kind) {
        case Value::Kind::null:
            return true;
        case Value::Kind::scalar:
            return a.text == b.text && a.quoted == b.quoted;
        case Value::Kind::sequence:
            if (a.items.size() != b.items.size()) return false;
            for (std::size_t i = 0; i < a.items.size(); ++i) {
                if (!same_content(*a.items[i], *b.items[i])) return false;
            }
            return true;
        case Value::Kind::mapping:
            // Keys are unique, so equal sizes and a match for each key of `a` suffice.
            if (a.entries.size() != b.entries.size()) return false;
            for (const Entry& entry : a.entries) {
                const Value* other = b.get(entry.key);
                if (other == nullptr || !same_content(*entry.value, *other)) return false;
            }
            return true;
    }
    return false;
}

std::string child_path(std::string_view parent, std::string_view key) {
    std::string path(parent);
    if (!path.empty()) path += '.';
    path += key;
    return path;
}

std::string item_path(std::string_view parent, std::size_t index) {
    return std::string(parent) + "[" + std::to_string(index) + "]";
}

std::string describe(const Value& value) {
    switch (value.kind) {
        case Value::Kind::null:
            return "null";
        case Value::Kind::sequence:
            return "a list";
        case Value::Kind::mapping:
            return "a mapping";
        case Value::Kind::scalar:
            break;
    }
    // Long or multi-line texts are not repeated: they only make the message unreadable.
    if (value.text.size() > 60 || value.text.find('\n') != std::string::npos) return "a text";
    return "\"" + value.text + "\"";
}

}  // namespace csh::config::detail
