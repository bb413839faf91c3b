// ContainerSSH's configuration keys and defaults (reference §2), plus our
// own `ssh.loginGraceTime` and `plugins` section.
#pragma once

#include <string_view>

#include "config/schema.hpp"

namespace csh::config::detail {

// The whole file. Its selector is `backend`: a third-party backend's own
// section is accepted when `backend` names it.
const schema::Node& root_schema();

// root_schema()'s defaults as one tree.
const ValuePtr& root_defaults();

// An auth webhook block (HTTP client keys plus authTimeout): what the 0.4
// format wrote directly under `auth`.
const schema::Node& auth_webhook_schema();

// The backends whose sections ContainerSSH defines.
bool is_builtin_backend(std::string_view name);

// The auth blocks whose `method` selects a plugin, in file order.
inline constexpr std::string_view kAuthBlocks[] = {"password", "publicKey", "keyboardInteractive", "gssapi",
                                                   "authz"};

}  // namespace csh::config::detail
