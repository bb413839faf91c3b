// Which plugins a configuration selects (architecture §6).
#pragma once

#include <vector>

#include "config/config.hpp"
#include "config/value.hpp"

namespace csh::config::detail {

// From the effective configuration: backend X -> "backend/X"; a non-empty
// auth.<block>.method X -> "auth/X"; a configserver.url -> "config/http";
// audit enabled with storage X (not none) -> "audit/X"; metrics enabled ->
// "metrics/prometheus". Each `provides` once, the first key naming it kept.
std::vector<ProviderRequirement> required_providers_of(const Value& effective);

}  // namespace csh::config::detail
