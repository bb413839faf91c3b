// SSH signal names (RFC 4254 section 6.10, without "SIG") and their numbers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace backend_local {

// The signal number for "TERM", "KILL", ... (a leading "SIG" is tolerated).
std::optional<int> signal_number(std::string_view name);
// The SSH name of a signal number; "SIG<n>" for one without a name.
std::string signal_name(int number);

}  // namespace backend_local
