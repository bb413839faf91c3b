// Log levels by their syslog names, as the `log.level` key spells them.
#pragma once

#include <optional>
#include <string_view>

#include <containerssh/plugin/common.h>

namespace csh::log {

// "emerg", "alert", "crit", "error", "warning", "notice", "info", "debug";
// "invalid" for a value outside 0..7 (a broken plugin table), never empty.
std::string_view level_name(csh_log_level level);

// Accepts exactly the names above and the numbers "0" (emerg) to "7" (debug),
// as ContainerSSH does; anything else (including "warn") is nullopt.
std::optional<csh_log_level> parse_level(std::string_view text);

}  // namespace csh::log
