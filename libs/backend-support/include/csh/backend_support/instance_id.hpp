// The identity this gateway's containers and pods carry in their
// containerssh_instance label, so that gateways sharing an engine or a
// namespace never collect each other's, and a restarted gateway recognises
// what its killed predecessor left behind.
#pragma once

#include <containerssh/sdk/host.hpp>

#include <string>

namespace csh::backend_support {

// A hash of the host name and the SSH listen address (ssh.listen). With a
// fixed address it is stable across restarts; with port 0 (any free port)
// there is no such identity, and every run gets its own. `config_error_code`
// is the plugin's code for an unreadable ssh section (which the core has
// already checked, so it is not expected).
std::string gateway_instance_id(const csh::sdk::Host& host, const char* config_error_code);

// The hash itself: FNV-1a of "hostname|identity" as 16 hex digits.
std::string instance_id_for(const std::string& hostname, const std::string& identity);

}  // namespace csh::backend_support
