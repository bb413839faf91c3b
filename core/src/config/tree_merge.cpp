#include "config/tree_merge.hpp"

#include <strings.h>

#include <algorithm>

namespace csh::config::detail {
namespace {

bool is_free_form(const schema::Node* node) { return node == nullptr || node->type == schema::Type::free_form; }

const schema::Node* child_node(const schema::Node* node, std::string_view key) {
    if (node == nullptr) return nullptr;
    switch (node->type) {
        case schema::Type::object:
            return node->field(key);  // nullptr for a selected third-party block: free form
        case schema::Type::map_of:
            return node->element.get();
        default:
            return nullptr;
    }
}

bool same_key(std::string_view a, std::string_view b, bool ignore_case) {
    if (!ignore_case) return a == b;
    return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

ValuePtr merge_over(const schema::Node* node, const ValuePtr& base, const ValuePtr& overlay) {
    if (!overlay || (overlay->is_null() && base)) return base;
    if (!base || !base->is_mapping() || !overlay->is_mapping()) return overlay;

    const bool ignore_case = is_free_form(node);
    std::vector<Entry> entries;
    std::vector<bool> used(overlay->entries.size(), false);
    for (const Entry& base_entry : base->entries) {
        Entry merged = base_entry;
        for (std::size_t i = 0; i < overlay->entries.size(); ++i) {
            const Entry& over = overlay->entries[i];
            if (used[i] || !same_key(base_entry.key, over.key, ignore_case)) continue;
            used[i] = true;
            merged.key = over.key;
            merged.key_position = over.key_position;
            merged.value = merge_over(child_node(node, base_entry.key), base_entry.value, over.value);
            break;
        }
        entries.push_back(std::move(merged));
    }
    for (std::size_t i = 0; i < overlay->entries.size(); ++i) {
        if (!used[i]) entries.push_back(overlay->entries[i]);
    }
    if (node != nullptr && node->type == schema::Type::object) {
        // Output (dump-config, JSON) lists keys in the documented order; a
        // selected third-party block comes last.
        auto rank = [node](const Entry& entry) {
            for (std::size_t i = 0; i < node->fields.size(); ++i) {
                if (node->fields[i].name == entry.key) return i;
            }
            return node->fields.size();
        };
        std::stable_sort(entries.begin(), entries.end(),
                         [&rank](const Entry& a, const Entry& b) { return rank(a) < rank(b); });
    }
    return make_mapping(std::move(entries), overlay->position, overlay->flow);
}

}  // namespace csh::config::detail
