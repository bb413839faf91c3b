#include "host/host_entry.hpp"

#include "log/codes.hpp"

#include <exception>
#include <string>

namespace csh::host {

void report_host_call_failure(log::Logger* logger, const char* function) noexcept {
    if (logger == nullptr) return;
    try {
        std::string what = "unknown exception";
        try {
            throw;
        } catch (const std::exception& e) {
            what = e.what();
        } catch (...) {
        }
        logger->log(codes::CORE_HOST_CALL_FAILED, "a host function failed: " + what, {{"function", function}});
    } catch (...) {
        // Out of memory while logging: nothing more can be done here.
    }
}

}  // namespace csh::host
