// The example server's code constants (example_server::codes::NAME) and its
// code table, both from messages.def.
#pragma once

#define CSH_MESSAGES_FILE "messages.def"
#define CSH_MESSAGES_NAMESPACE example_server
#include <containerssh/sdk/declare_messages.inc>

namespace example_server {
// The module every line of this program carries.
inline constexpr char kLogModule[] = "auth-config-server";
}  // namespace example_server
