// Reads audit.intercept from the configuration: what the core captures for
// the audit plugins.
#pragma once

#include "ssh/audit_streams.hpp"

#include <string_view>

namespace csh::app {
ssh::AuditIntercept audit_intercept(std::string_view audit_section_json);
}
