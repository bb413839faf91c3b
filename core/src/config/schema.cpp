#include "config/schema.hpp"

#include "config/yaml_reader.hpp"

namespace csh::config::schema {
namespace {

using detail::make_scalar;
using detail::make_sequence;
using detail::ValuePtr;

std::shared_ptr<Node> leaf(Type type, ValuePtr default_value) {
    auto node = std::make_shared<Node>();
    node->type = type;
    node->default_value = std::move(default_value);
    return node;
}

// Default texts are texts, never read as literals.
ValuePtr text_value(std::string text) { return make_scalar(std::move(text), true); }
ValuePtr plain_value(std::string text) { return make_scalar(std::move(text), false); }

}  // namespace

const Node* Node::field(std::string_view name) const {
    for (const Field& f : fields) {
        if (f.name == name) return f.node.get();
    }
    return nullptr;
}

NodePtr object(std::vector<Field> fields, std::string selector) {
    auto node = std::make_shared<Node>();
    node->type = Type::object;
    node->fields = std::move(fields);
    node->selector = std::move(selector);
    return node;
}

NodePtr text(std::string default_text, std::vector<std::string> choices) {
    auto node = leaf(Type::text, text_value(std::move(default_text)));
    node->choices = std::move(choices);
    return node;
}

NodePtr restricted_text(std::string default_text, std::vector<std::string> choices, std::string reason) {
    auto node = leaf(Type::text, text_value(std::move(default_text)));
    node->choices = std::move(choices);
    node->choices_reason = std::move(reason);
    return node;
}

NodePtr secret_text(Secret secret) {
    auto node = leaf(Type::text, text_value(""));
    node->secret = secret;
    return node;
}

NodePtr boolean(bool default_value) { return leaf(Type::boolean, plain_value(default_value ? "true" : "false")); }

NodePtr integer(std::int64_t default_value, std::optional<std::int64_t> minimum) {
    auto node = leaf(Type::integer, plain_value(std::to_string(default_value)));
    node->minimum = minimum;
    return node;
}

NodePtr number(std::string default_text) { return leaf(Type::number, plain_value(std::move(default_text))); }

NodePtr duration(std::string default_text) { return leaf(Type::duration, text_value(std::move(default_text))); }

NodePtr text_list(std::vector<std::string> defaults, char separator, Secret item_secret) {
    std::vector<ValuePtr> items;
    for (std::string& item : defaults) items.push_back(text_value(std::move(item)));
    auto node = leaf(Type::list_of, make_sequence(std::move(items)));
    auto element = std::make_shared<Node>();
    element->type = Type::text;
    element->secret = item_secret;
    node->element = std::move(element);
    node->separator = separator;
    return node;
}

NodePtr text_map(std::vector<std::pair<std::string, std::string>> defaults) {
    std::vector<detail::Entry> entries;
    for (auto& [key, value] : defaults) entries.push_back(detail::Entry{key, {}, text_value(value)});
    auto node = leaf(Type::map_of, detail::make_mapping(std::move(entries)));
    auto element = std::make_shared<Node>();
    element->type = Type::text;
    node->element = std::move(element);
    return node;
}

NodePtr map_of(NodePtr element) {
    auto node = leaf(Type::map_of, nullptr);
    node->element = std::move(element);
    return node;
}

NodePtr free_form() { return leaf(Type::free_form, nullptr); }

std::vector<Field> join(std::vector<Field> first, const std::vector<Field>& second) {
    first.insert(first.end(), second.begin(), second.end());
    return first;
}

ValuePtr defaults_of(const Node& node) {
    if (node.type != Type::object) return node.default_value;
    std::vector<detail::Entry> entries;
    for (const Field& f : node.fields) {
        if (ValuePtr value = defaults_of(*f.node)) entries.push_back(detail::Entry{f.name, {}, std::move(value)});
    }
    if (entries.empty()) return nullptr;
    return detail::make_mapping(std::move(entries));
}

}  // namespace csh::config::schema
