// Start-up step for host keys: load the configured ones, or generate an
// Ed25519 key, save it beside the configuration and add it to the file.
#pragma once

#include "ssh/host_keys.hpp"

#include <optional>

namespace csh::config { class Config; }
namespace csh::log { class Logger; }

namespace csh::app {
// Returns nullopt after logging why the server cannot start.
std::optional<ssh::HostKeys> setup_host_keys(config::Config& config, log::Logger& logger);
}
