// Signal names as SSH sends them (RFC 4254 section 6.9: no "SIG" prefix).
#pragma once

#include <string_view>

namespace csh::agent {

// The signal number for `name`, or 0 when the name is not one the agent
// accepts (exactly ABRT ALRM FPE HUP ILL INT KILL PIPE QUIT SEGV TERM USR1 USR2).
int signal_from_name(std::string_view name);

}  // namespace csh::agent
