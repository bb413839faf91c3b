// Which values --dump-config hides. Typed keys say so in the schema; in
// free-form parts (Docker/Kubernetes objects, third-party sections) key
// names that usually hold secrets and private key texts are hidden.
#pragma once

#include <string_view>

#include "config/schema.hpp"
#include "config/value.hpp"

namespace csh::config::detail {

inline constexpr std::string_view kRedacted = "<redacted>";

// PEM/OpenSSH text written inline (it starts with "-----"), not a file name.
bool is_inline_pem(std::string_view text);

// `node` is the key's schema (nullptr or free_form in free-form parts);
// `key` the key name (for list items, the list's key); `inside_secret` is
// true below a key marked secret as a whole (docker.execution.auth).
// Empty values are never hidden: there is nothing to hide.
bool must_redact(const schema::Node* node, std::string_view key, const Value& scalar, bool inside_secret);

}  // namespace csh::config::detail
