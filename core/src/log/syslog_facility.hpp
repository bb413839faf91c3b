// Syslog facility names as `log.syslog.facility` accepts them (ContainerSSH's
// list) and their numeric codes.
#pragma once

#include <optional>
#include <string_view>

namespace csh::log {

// kern 0, user 1, mail 2, daemon 3, auth 4, syslog 5, lpr 6, news 7, uucp 8,
// cron 9, authpriv 10, ftp 11, ntp 12, logaudit 13, logalert 14, clock 15,
// local0..local7 16..23; nullopt for anything else.
std::optional<int> syslog_facility(std::string_view name);

// The accepted names separated by ", ", for error messages.
std::string_view syslog_facility_names();

}  // namespace csh::log
