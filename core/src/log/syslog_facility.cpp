#include "log/syslog_facility.hpp"

#include <iterator>

namespace csh::log {
namespace {

// Indexed by facility code.
constexpr std::string_view kFacilities[] = {
    "kern",     "user",   "mail",   "daemon", "auth",   "syslog", "lpr",    "news",
    "uucp",     "cron",   "authpriv", "ftp",  "ntp",    "logaudit", "logalert", "clock",
    "local0",   "local1", "local2", "local3", "local4", "local5", "local6", "local7",
};

}  // namespace

std::optional<int> syslog_facility(std::string_view name) {
    for (std::size_t code = 0; code < std::size(kFacilities); ++code) {
        if (name == kFacilities[code]) return static_cast<int>(code);
    }
    return std::nullopt;
}

std::string_view syslog_facility_names() {
    return "kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, authpriv, ftp, ntp, "
           "logaudit, logalert, clock, local0, local1, local2, local3, local4, local5, local6, local7";
}

}  // namespace csh::log
