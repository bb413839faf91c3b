// The description of what a configuration may hold: for each key its type,
// its default and whether it is a secret. One description drives the
// unknown-key and type checks, the defaults, the typed JSON output and the
// redaction of dump-config, so those can never disagree.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/value.hpp"

namespace csh::config::schema {

enum class Type {
    object,     // fixed keys (`fields`)
    map_of,     // any keys, each value an `element`
    list_of,    // a list of `element`
    free_form,  // anything, not looked into (Docker/Kubernetes API objects, third-party sections)
    text,
    boolean,
    integer,
    number,
    duration,
};

enum class Secret {
    no,
    yes,     // always redacted in dump-config when not empty
    if_pem,  // redacted when it holds inline PEM/OpenSSH text rather than a file name
};

struct Node;
using NodePtr = std::shared_ptr<const Node>;

struct Field {
    std::string name;
    NodePtr node;
};

struct Node {
    Type type = Type::free_form;
    std::vector<Field> fields;
    NodePtr element;
    // object: the key whose value may name one more, free-form, block
    // (`method: static` + `static: {...}`; `backend: local` + `local: {...}`).
    std::string selector;
    // text: the allowed values; empty allows any.
    std::vector<std::string> choices;
    // text: why a value ContainerSSH accepts is not among `choices`, added
    // to the refusal so the operator learns what to change.
    std::string choices_reason;
    std::optional<std::int64_t> minimum;
    // list_of: one text is also accepted and split at this character
    // (ContainerSSH's colon-separated TLS lists); 0 = lists only.
    char separator = 0;
    Secret secret = Secret::no;
    // The default of a leaf, list, map or free-form key; null for none.
    // Objects build theirs from their fields (see defaults_of).
    detail::ValuePtr default_value;

    const Node* field(std::string_view name) const;
};

// Builders, so the key tree reads like the documentation.
NodePtr object(std::vector<Field> fields, std::string selector = {});
NodePtr text(std::string default_text = "", std::vector<std::string> choices = {});
// A text with fewer choices than ContainerSSH allows, and the reason given
// when one of the others is asked for.
NodePtr restricted_text(std::string default_text, std::vector<std::string> choices, std::string reason);
NodePtr secret_text(Secret secret);
NodePtr boolean(bool default_value = false);
NodePtr integer(std::int64_t default_value = 0, std::optional<std::int64_t> minimum = std::nullopt);
NodePtr number(std::string default_text);
NodePtr duration(std::string default_text = "0s");
NodePtr text_list(std::vector<std::string> defaults = {}, char separator = 0,
                  Secret item_secret = Secret::no);
NodePtr text_map(std::vector<std::pair<std::string, std::string>> defaults = {});
// A mapping of any keys, each value an `element`; no default.
NodePtr map_of(NodePtr element);
// Anything, not looked into; no default.
NodePtr free_form();

// Field lists joined, for blocks that embed others (an auth webhook is an
// HTTP client block plus authTimeout).
std::vector<Field> join(std::vector<Field> first, const std::vector<Field>& second);

// The defaults below `node` as a tree; null when it has none.
detail::ValuePtr defaults_of(const Node& node);

}  // namespace csh::config::schema
