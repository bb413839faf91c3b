// Reading values that passed the schema check (so types are right); used
// by everything that turns the effective tree into settings or output.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/value.hpp"

namespace csh::config::detail {

// The child under `key`, or a shared null value when absent.
const Value& child(const Value& mapping, std::string_view key);

std::string text_of(const Value& value);        // "" for null
bool bool_of(const Value& value);               // false for null
std::int64_t integer_of(const Value& value);    // 0 for null
std::int64_t duration_of(const Value& value);   // nanoseconds; 0 for null

// A list's items; a single text (lists with a separator) is split at `separator`.
std::vector<ValuePtr> items_of(const Value& value, char separator);
std::vector<std::string> texts_of(const Value& value, char separator = 0);

}  // namespace csh::config::detail
