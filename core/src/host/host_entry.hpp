// The barrier around every host function a plugin calls (services, session
// host API, completions, prompts). Plugins are C: an exception thrown inside
// the host (std::bad_alloc, an fd the reactor refuses) must never unwind into
// their frames. It becomes the function's failure value and one
// CORE_HOST_CALL_FAILED line naming the function.
#pragma once

#include "log/logger.hpp"

#include <utility>

namespace csh::host {

// Logs the exception being handled; call only from a catch block. Never throws.
void report_host_call_failure(log::Logger* logger, const char* function) noexcept;

// Runs `fn` and returns its result, or `on_failure` when it threw.
template <typename Result, typename Fn>
Result guarded(log::Logger* logger, const char* function, Result on_failure, Fn&& fn) noexcept {
    try {
        return std::forward<Fn>(fn)();
    } catch (...) {
        report_host_call_failure(logger, function);
        return on_failure;
    }
}

// The same for functions that return nothing.
template <typename Fn>
void guarded(log::Logger* logger, const char* function, Fn&& fn) noexcept {
    try {
        std::forward<Fn>(fn)();
    } catch (...) {
        report_host_call_failure(logger, function);
    }
}

}  // namespace csh::host
