// Connection ids: 16 random bytes as 32 lowercase hex characters, the same
// shape as ContainerSSH's (used in logs, webhooks, audit names, labels).
#pragma once

#include <string>

namespace csh::ssh {
std::string new_connection_id();
}
