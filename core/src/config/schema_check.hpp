// Checks a document against the schema: every key known, every value of
// its key's type. The first problem is thrown as a ConfigError naming the
// key path and its line.
#pragma once

#include <string>

#include "config/schema.hpp"
#include "config/value.hpp"

namespace csh::config::detail {

// `path` is the key path of `value` ("" for the whole file). Null values
// stand for "not set" and always pass; free-form parts are not looked into.
void check_against_schema(const schema::Node& node, const Value& value, const std::string& path);

}  // namespace csh::config::detail
