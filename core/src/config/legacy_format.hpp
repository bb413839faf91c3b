// Older ContainerSSH formats. Removed keys are refused with what to write
// instead; 0.4's authentication keys are still accepted and rewritten.
#pragma once

#include <string>
#include <vector>

#include "config/value.hpp"

namespace csh::config::detail {

// Refuses the root `listen` (0.3) and `dockerrun` (removed in 0.5); `kuberun`
// is left to the Kubernetes backend plugin, which maps it.
// Rewrites 0.4's `auth.url` + HTTP client keys + `auth.password: true|false`
// + `auth.pubkey` + `auth.authTimeout` into auth.password.webhook and
// auth.publicKey.webhook (a block already written in the current format
// wins) and appends a note for the log to `notes`. Throws ConfigError.
ValuePtr upgrade_legacy_format(const ValuePtr& document, std::vector<std::string>& notes);

}  // namespace csh::config::detail
