#include "log/level.hpp"

#include <iterator>

namespace csh::log {
namespace {

// Indexed by severity: CSH_LOG_EMERGENCY (0) ... CSH_LOG_DEBUG (7).
constexpr std::string_view kLevelNames[] = {
    "emerg", "alert", "crit", "error", "warning", "notice", "info", "debug",
};

}  // namespace

std::string_view level_name(csh_log_level level) {
    return level < std::size(kLevelNames) ? kLevelNames[level] : std::string_view("invalid");
}

std::optional<csh_log_level> parse_level(std::string_view text) {
    for (csh_log_level level = 0; level < std::size(kLevelNames); ++level) {
        if (text == kLevelNames[level]) return level;
    }
    if (text.size() == 1 && text[0] >= '0' && text[0] <= '7') {
        return static_cast<csh_log_level>(text[0] - '0');
    }
    return std::nullopt;
}

}  // namespace csh::log
