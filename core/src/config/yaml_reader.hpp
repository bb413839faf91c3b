// Text to tree: yaml-cpp parses YAML, and JSON as the YAML subset it is.
#pragma once

#include <string>
#include <string_view>

#include "config/value.hpp"

namespace csh::config::detail {

// Every node remembers `source_name` and its line and column. An empty
// document (or only comments) is a null node. Throws ConfigError for a
// syntax error, more than one document, a key that is not text, a key
// written twice in one mapping, or a document nested or expanded (through
// aliases) beyond any sensible configuration.
ValuePtr read_yaml(std::string_view text, const std::string& source_name);

}  // namespace csh::config::detail
