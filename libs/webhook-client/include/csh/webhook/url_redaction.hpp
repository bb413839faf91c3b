// URLs as they may appear in log lines: a webhook URL can carry credentials
// ("https://user:token@host/") or a token in its query, so both are cut.
#pragma once

#include <string>
#include <string_view>

namespace csh::webhook {

// `url` without user information, query and fragment:
// "https://u:p@auth.example:8443/hook?t=1#x" -> "https://auth.example:8443/hook".
// A relative reference (a Location header may be one) keeps its path only.
std::string redact_url(std::string_view url);

}  // namespace csh::webhook
