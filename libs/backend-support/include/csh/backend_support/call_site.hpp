// Where a backend's asynchronous API call runs: the strand its callbacks run
// on, and a token (PendingWork::hold()) that keeps the owner's "work in
// flight" count up until the call is over.
#pragma once

#include <containerssh/plugin.h>

#include <memory>

namespace csh::backend_support {

struct CallSite {
    csh_strand* strand = nullptr;
    std::shared_ptr<void> pending;
};

}  // namespace csh::backend_support
