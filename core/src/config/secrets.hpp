// Which values --dump-config hides. Typed keys say so in the schema; in
// free-form parts (Docker/Kubernetes objects, third-party sections) key
// names that usually hold secrets and private key texts are hidden.
#pragma once

#include <string_view>

#include "config/schema.hpp"
#include "config/value.hpp"

namespace csh::config::detail {

inline constexpr std::string_view kRedacted = "<redacted>";

// `node` is the key's schema (nullptr or free_form in plugins' sections and
// other free-form parts, where key names decide); `key` the key name (for
// list items, the list's key). Empty values are never hidden: there is
// nothing to hide. Inline PEM is told from a file name by the SDK's
// is_inline_pem, as every reader of these keys does.
bool must_redact(const schema::Node* node, std::string_view key, const Value& scalar);

}  // namespace csh::config::detail
