// The configuration document as an immutable tree. yaml-cpp parses the text
// (see yaml_reader.hpp); everything after that works on this tree.
//
// Why not keep yaml-cpp nodes: assigning a yaml-cpp node into another tree
// rewires the source tree's memory holder, so sharing subtrees between the
// file's configuration and per-connection merges would race between threads
// and grow memory with every merge. Immutable nodes behind shared_ptr can be
// shared by any number of configurations on any thread, and each node keeps
// the file and line it came from, even after merging.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace csh::config::detail {

struct Value;
using ValuePtr = std::shared_ptr<const Value>;

// Where a node was written. `source` is null for nodes the program made
// (defaults, legacy mapping); line and column are 1-based, 0 when unknown.
struct Position {
    std::shared_ptr<const std::string> source;
    int line = 0;
    int column = 0;
};

struct Entry {
    std::string key;
    Position key_position;
    ValuePtr value;
};

struct Value {
    enum class Kind { null, scalar, sequence, mapping };

    Kind kind = Kind::null;
    // Scalars: written in quotes or tagged !!str, so always text. A plain
    // scalar may stand for true/false/null/a number (see scalar.hpp).
    bool quoted = false;
    // Collections written as [...] or {...}.
    bool flow = false;
    std::string text;
    std::vector<ValuePtr> items;
    std::vector<Entry> entries;
    Position position;

    bool is_null() const { return kind == Kind::null; }
    bool is_scalar() const { return kind == Kind::scalar; }
    bool is_sequence() const { return kind == Kind::sequence; }
    bool is_mapping() const { return kind == Kind::mapping; }

    // Mappings: the first entry with this key, or nullptr.
    const Entry* find(std::string_view key) const;
    // Mappings: the value under `key`, or nullptr when absent.
    const Value* get(std::string_view key) const;
};

ValuePtr make_null(Position position = {});
ValuePtr make_scalar(std::string text, bool quoted, Position position = {});
ValuePtr make_sequence(std::vector<ValuePtr> items, Position position = {}, bool flow = false);
ValuePtr make_mapping(std::vector<Entry> entries, Position position = {}, bool flow = false);

// A copy of mapping `map` with `key` set to `value` (replaced in place, or
// appended). `map` may be null or absent: a new mapping is made.
ValuePtr with_entry(const ValuePtr& map, std::string_view key, ValuePtr value);
// A copy of mapping `map` without `key`.
ValuePtr without_entry(const ValuePtr& map, std::string_view key);

// Same content: kinds, texts, quoting, list order and keys; positions,
// flow/block style and the order of keys in a mapping are ignored.
bool same_content(const Value& a, const Value& b);

// "a.b" / "b" when the parent is the root; "a[3]" for list items.
std::string child_path(std::string_view parent, std::string_view key);
std::string item_path(std::string_view parent, std::size_t index);

// "a mapping", "a list", "null", or the scalar quoted, for error messages.
std::string describe(const Value& value);

}  // namespace csh::config::detail
