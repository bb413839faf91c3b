// Reads the `security` section of the effective configuration into
// SecuritySettings. Of the forwarding modes forwardingMode (direct-tcpip)
// and reverseForwardingMode (tcpip-forward) are read: every other
// forwarding request is refused whatever its mode says (docs/forwarding.md).
#pragma once

#include "config/security_settings.hpp"
#include "config/value.hpp"

namespace csh::config::detail {

// `section` passed the schema check (types and mode values are right).
SecuritySettings read_security(const Value& section);

}  // namespace csh::config::detail
