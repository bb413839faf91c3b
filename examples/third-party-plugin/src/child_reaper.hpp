// Noticing that a child process ended, without a thread per child and
// without blocking the loop: a pidfd per child watched by the host's loop
// (Linux 5.3 and later), else one SIGCHLD self-pipe for the whole plugin.
#pragma once

#include "local_config.hpp"

#include <containerssh/sdk/host.hpp>

#include <sys/types.h>

#include <functional>
#include <memory>

namespace backend_local {

// Watches one child; destroying it (on the strand it reports to) stops the
// watch, after which the callback never runs.
class ExitWatch {
public:
    virtual ~ExitWatch() = default;
};

class ChildReaper {
public:
    // Runs with the child's wait status after it was reaped.
    using ExitFn = std::function<void(int wait_status)>;

    virtual ~ChildReaper() = default;
    // [strand] Reaps `pid` once it exits and then runs `on_exit` on `strand`.
    virtual std::unique_ptr<ExitWatch> watch(csh_strand* strand, pid_t pid, ExitFn on_exit) = 0;
    virtual const char* mechanism() const = 0;

    // Picks pidfd when asked or when the kernel has it, else SIGCHLD.
    static std::unique_ptr<ChildReaper> create(const csh::sdk::Host& host, ExitNotification mode);
};

}  // namespace backend_local
