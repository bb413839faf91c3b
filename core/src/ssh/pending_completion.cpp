#include "ssh/pending_completion.hpp"

#include <algorithm>

namespace csh::ssh {

void OutstandingCompletions::remove(const PendingCompletion* pending) {
    // Comparing addresses is sound: an entry stays alive while it is listed.
    const auto it = std::find_if(pending_.begin(), pending_.end(),
                                 [pending](const auto& entry) { return entry.get() == pending; });
    if (it != pending_.end()) pending_.erase(it);
}

std::vector<std::shared_ptr<PendingCompletion>> OutstandingCompletions::detach_all() {
    std::vector<std::shared_ptr<PendingCompletion>> owed;
    for (auto& pending : std::exchange(pending_, {})) {
        if (pending->at_end() == AtConnectionEnd::still_runs) continue;
        if (pending->detach() && pending->at_end() == AtConnectionEnd::drop_and_report) owed.push_back(std::move(pending));
    }
    return owed;
}

}  // namespace csh::ssh
