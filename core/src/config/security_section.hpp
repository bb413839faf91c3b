// Reads the `security` section of the effective configuration into
// SecuritySettings. The forwarding modes are left to the forwarding code,
// which does not exist yet: every forwarding request is refused today.
#pragma once

#include "config/security_settings.hpp"
#include "config/value.hpp"

namespace csh::config::detail {

// `section` passed the schema check (types and mode values are right).
SecuritySettings read_security(const Value& section);

}  // namespace csh::config::detail
