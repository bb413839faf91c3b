// The signal names SSH carries (RFC 4254 6.10, without "SIG") that the guest
// agent delivers, and their Linux numbers.
#pragma once

#include <string_view>

namespace backend_docker {

// 0 for a name outside the agent's list.
int signal_number(std::string_view name);

}  // namespace backend_docker
