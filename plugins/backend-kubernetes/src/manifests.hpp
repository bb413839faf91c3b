// The pod manifests of one connection (connection and persistent mode: the
// idle command) and of one session (session mode: the program behind the
// agent), built by pod_manifest.hpp from the connection's facts; the
// username that does not fit a label is logged here.
#pragma once

#include "connection_context.hpp"
#include "console_command.hpp"
#include "pod_manifest.hpp"

#include <string>
#include <utility>
#include <vector>

namespace backend_kubernetes {

// Persistent pods carry no instance label: no collector ever deletes them.
std::string connection_manifest(const ConnectionContext& context);
std::string session_manifest(const ConnectionContext& context, const ConsoleCommand& console,
                             std::vector<std::pair<std::string, std::string>> environment, bool tty);

}  // namespace backend_kubernetes
