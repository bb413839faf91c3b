// Shut-down step for audit plugins: while the event loop still runs, each
// audit plugin that has a flush slot (ABI 1.2) finishes its background work
// (the last uploads) and says so, within one shared deadline.
#pragma once

#include "log/logger.hpp"
#include "ssh/plugin_set.hpp"

#include <chrono>
#include <vector>

namespace csh::app {

// Calls flush on every audit plugin that offers it and waits until all have
// completed or `deadline` passed (CORE_AUDIT_FLUSH_TIMEOUT names the ones
// still busy). Runs on the control thread; the loop must be running.
void flush_audit(const std::vector<ssh::Bound<csh_audit_interface>>& audit, std::chrono::milliseconds deadline,
                 log::Logger& logger);

}  // namespace csh::app
