// What a scalar means. A quoted scalar is always a text; a plain one may be
// written for null, a boolean or a number (the YAML 1.2 core schema, which
// is also what JSON needs).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/value.hpp"

namespace csh::config::detail {

enum class Literal { text, null, boolean, integer, number };

// How a plain scalar reads: "~"/"null"/"" null; "true"/"False"/... boolean;
// "12", "0x1F", "0o17" integer; "1.5", ".5", "1e3", ".inf" number; else text.
Literal classify_plain(std::string_view text);

// The JSON spelling of a plain integer or number ("+7" -> "7", "0x1F" ->
// "31", ".5" -> "0.5"); nullopt when JSON cannot hold it (.inf, .nan, an
// integer beyond 64 bits).
std::optional<std::string> json_number(std::string_view text);

// Boolean keys: a plain true/false, also yes/no/on/off as YAML 1.1 (and
// ContainerSSH's Go YAML decoder) accept them.
std::optional<bool> parse_bool(const Value& value);

// Whole-number keys: a plain integer (decimal, 0x, 0o) that fits 64 bits.
std::optional<std::int64_t> parse_integer(const Value& value);

// Whether a text written plain would be read back as something else (null,
// a boolean, a number, YAML 1.1's yes/no/on/off/y/n), so an emitter must quote it.
bool reads_as_non_text(std::string_view text);

}  // namespace csh::config::detail
