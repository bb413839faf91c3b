#include "config/schema_check.hpp"

#include <algorithm>
#include <cctype>

#include "config/duration.hpp"
#include "config/fail.hpp"
#include "config/scalar.hpp"

namespace csh::config::detail {
namespace {

using schema::Node;
using schema::Type;

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// "did you mean ..." for a typo or a case slip, otherwise the valid keys.
std::string suggestion(const Node& object, std::string_view key) {
    const std::string wanted = lower(key);
    const schema::Field* best = nullptr;
    std::size_t best_distance = 3;
    for (const schema::Field& field : object.fields) {
        std::size_t distance = edit_distance(wanted, lower(field.name));
        if (distance < best_distance) {
            best = &field;
            best_distance = distance;
        }
    }
    if (best != nullptr) return "; did you mean \"" + best->name + "\"?";
    std::string keys;
    for (const schema::Field& field : object.fields) {
        keys += keys.empty() ? "" : ", ";
        keys += field.name;
    }
    return "; the keys here are: " + keys;
}

// The selector names one more block, e.g. `method: static` allows `static:`.
std::string selected_block(const Node& object, const Value& value) {
    if (object.selector.empty()) return {};
    const Value* selector = value.get(object.selector);
    if (selector == nullptr || !selector->is_scalar() || selector->text.empty()) return {};
    if (object.field(selector->text) != nullptr) return {};
    return selector->text;
}

[[noreturn]] void unknown_key(const Node& object, const Entry& entry, const std::string& path) {
    std::string problem = "unknown key \"" + entry.key + "\"" + suggestion(object, entry.key);
    if (!object.selector.empty()) {
        problem += " (a block of a third-party plugin is accepted only when \"" + object.selector + ": " +
                   entry.key + "\" selects it)";
    }
    fail_at(entry.key_position, child_path(path, entry.key), std::move(problem));
}

void check_object(const Node& object, const Value& value, const std::string& path) {
    if (!value.is_mapping()) fail_at(value.position, path, "expected a mapping of keys, found " + describe(value));
    const std::string extra = selected_block(object, value);
    for (const Entry& entry : value.entries) {
        if (const Node* field = object.field(entry.key)) {
            check_against_schema(*field, *entry.value, child_path(path, entry.key));
        } else if (entry.key != extra) {
            unknown_key(object, entry, path);
        }
    }
}

void check_text(const Node& node, const Value& value, const std::string& path) {
    if (!value.is_scalar()) fail_at(value.position, path, "expected a text, found " + describe(value));
    if (node.choices.empty()) return;
    if (std::find(node.choices.begin(), node.choices.end(), value.text) != node.choices.end()) return;
    std::string allowed;
    for (const std::string& choice : node.choices) {
        allowed += allowed.empty() ? "" : ", ";
        allowed += choice.empty() ? "\"\"" : choice;
    }
    std::string reason = node.choices_reason.empty() ? "" : " (" + node.choices_reason + ")";
    fail_at(value.position, path, "invalid value " + describe(value) + "; allowed: " + allowed + reason);
}

}  // namespace

void check_against_schema(const Node& node, const Value& value, const std::string& path) {
    if (value.is_null()) return;
    switch (node.type) {
        case Type::free_form:
            return;
        case Type::object:
            check_object(node, value, path);
            return;
        case Type::map_of:
            if (!value.is_mapping()) fail_at(value.position, path, "expected a mapping, found " + describe(value));
            for (const Entry& entry : value.entries) {
                check_against_schema(*node.element, *entry.value, child_path(path, entry.key));
            }
            return;
        case Type::list_of:
            if (value.is_sequence()) {
                for (std::size_t i = 0; i < value.items.size(); ++i) {
                    check_against_schema(*node.element, *value.items[i], item_path(path, i));
                }
                return;
            }
            if (node.separator != 0 && value.is_scalar()) return;
            fail_at(value.position, path,
                    "expected a list" +
                        (node.separator != 0 ? " (or one text with '" + std::string(1, node.separator) +
                                                   "'-separated values)"
                                             : std::string()) +
                        ", found " + describe(value));
        case Type::text:
            check_text(node, value, path);
            return;
        case Type::boolean:
            if (!parse_bool(value)) fail_at(value.position, path, "expected true or false, found " + describe(value));
            return;
        case Type::integer: {
            auto number = parse_integer(value);
            if (!number) fail_at(value.position, path, "expected a whole number, found " + describe(value));
            if (node.minimum && *number < *node.minimum) {
                fail_at(value.position, path, "must be at least " + std::to_string(*node.minimum) + ", found " +
                                                  std::to_string(*number));
            }
            return;
        }
        case Type::number:
            if (!value.is_scalar() || value.quoted || !json_number(value.text)) {
                fail_at(value.position, path, "expected a number, found " + describe(value));
            }
            return;
        case Type::duration:
            if (!parse_duration(value)) {
                fail_at(value.position, path,
                        "expected a duration such as 60s, 1m30s or 250ms (or a whole number of nanoseconds), found " +
                            describe(value));
            }
            return;
    }
}

}  // namespace csh::config::detail
