// The configuration as YAML text: for --dump-config (secrets hidden) and
// for writing a configuration file anew (everything kept).
#pragma once

#include <string>

#include "config/schema.hpp"
#include "config/value.hpp"

namespace csh::config::detail {

enum class Redaction { none, secrets };

// Typed keys are written in their canonical spelling (durations as "1m0s",
// booleans as true/false); texts that would read back as something else
// ("true", "5", "") are quoted, multi-line texts written as literal blocks;
// free-form parts keep plain and quoted as written. `node` may be nullptr
// (all free form). Ends with a newline.
std::string write_yaml(const schema::Node* node, const Value& value, Redaction redaction);

}  // namespace csh::config::detail
