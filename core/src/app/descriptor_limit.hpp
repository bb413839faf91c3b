// Start-up step: every connection holds two file descriptors (the socket and
// the event loop's duplicate of it, see ssh/connection.hpp), so the soft
// descriptor limit, often 1024 or 20000 by default, would stop the gateway
// long before memory does. The soft limit is raised to the hard limit and
// the connection capacity it gives is logged.
#pragma once

#include "log/logger.hpp"

#include <cstdint>

namespace csh::app {

// Descriptors kept aside for everything that is not a connection: log
// files, plugin sockets (engine, webhooks), listeners, host keys.
constexpr std::uint64_t kReservedDescriptors = 256;
constexpr std::uint64_t kDescriptorsPerConnection = 2;

// How many connections `limit` descriptors hold.
std::uint64_t connection_capacity(std::uint64_t limit);

// Raises RLIMIT_NOFILE's soft limit to its hard limit and logs
// CORE_DESCRIPTOR_LIMIT with the limit and the capacity. Never fails the
// start: a limit that cannot be raised is logged and kept.
void raise_descriptor_limit(log::Logger& logger);

}  // namespace csh::app
