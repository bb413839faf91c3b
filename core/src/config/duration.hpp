// Durations as ContainerSSH (Go) writes them: "60s", "1m30s", "250ms".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/value.hpp"

namespace csh::config::detail {

// Go's time.ParseDuration: an optional sign, then one or more decimal
// numbers (fractions allowed) each with a unit ns, us, µs, ms, s, m, h;
// "0" alone is zero. nullopt for anything else or beyond ±292 years.
std::optional<std::int64_t> parse_go_duration(std::string_view text);

// Go's time.Duration.String(): "0s", "250ms", "2s", "1m0s", "1h30m0s", "1.5µs".
std::string format_go_duration(std::int64_t nanoseconds);

// A duration key's value: a Go duration text, or a plain integer taken as
// nanoseconds (as Go decodes a number into a time.Duration).
std::optional<std::int64_t> parse_duration(const Value& value);

}  // namespace csh::config::detail
