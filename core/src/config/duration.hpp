// Durations as ContainerSSH (Go) writes them: "60s", "1m30s", "250ms". The
// text form is the SDK's (plugins read back what the core renders).
#pragma once

#include <containerssh/sdk/go_duration.hpp>

#include <cstdint>
#include <optional>

#include "config/value.hpp"

namespace csh::config::detail {

using csh::sdk::format_go_duration;
using csh::sdk::parse_go_duration;

// A duration key's value: a Go duration text, or a plain integer taken as
// nanoseconds (as Go decodes a number into a time.Duration).
std::optional<std::int64_t> parse_duration(const Value& value);

}  // namespace csh::config::detail
