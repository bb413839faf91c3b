#include "app/descriptor_limit.hpp"

#include "log/codes.hpp"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

namespace csh::app {
namespace {

// An unlimited hard limit cannot be set as the soft one for RLIMIT_NOFILE:
// the kernel's ceiling is fs.nr_open.
rlim_t kernel_ceiling() {
    std::ifstream in("/proc/sys/fs/nr_open");
    unsigned long long value = 0;
    if (in >> value && value > 0) return static_cast<rlim_t>(value);
    return 1048576;  // the kernel's default nr_open
}

}  // namespace

std::uint64_t connection_capacity(std::uint64_t limit) {
    return limit > kReservedDescriptors ? (limit - kReservedDescriptors) / kDescriptorsPerConnection : 0;
}

void raise_descriptor_limit(log::Logger& logger) {
    rlimit limits{};
    if (getrlimit(RLIMIT_NOFILE, &limits) != 0) return;
    const rlim_t target = limits.rlim_max == RLIM_INFINITY ? kernel_ceiling() : limits.rlim_max;
    std::string note = "soft limit raised to the hard limit";
    if (limits.rlim_cur < target) {
        rlimit raised{target, limits.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0) {
            limits.rlim_cur = target;
        } else {
            note = std::string("the soft limit could not be raised: ") + std::strerror(errno);
        }
    } else {
        note = "soft limit already at the hard limit";
    }
    const auto limit = static_cast<std::uint64_t>(limits.rlim_cur);
    logger.log(codes::CORE_DESCRIPTOR_LIMIT,
               note + "; about " + std::to_string(connection_capacity(limit)) + " connections fit",
               {{"limit", std::to_string(limit)}, {"connections", std::to_string(connection_capacity(limit))}});
}

}  // namespace csh::app
