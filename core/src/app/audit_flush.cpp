#include "app/audit_flush.hpp"

#include "log/codes.hpp"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

namespace csh::app {
namespace {

// Shared by the waiting control thread and the completions, which may run
// after the wait gave up (a plugin that finishes late): the last one frees it.
struct FlushState {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<bool> done;
};

struct FlushContext {
    std::shared_ptr<FlushState> state;
    size_t index;
};

void flush_done(void* context, csh_status, csh_str) {
    std::unique_ptr<FlushContext> ctx(static_cast<FlushContext*>(context));
    std::lock_guard lock(ctx->state->mutex);
    ctx->state->done[ctx->index] = true;
    ctx->state->changed.notify_all();
}

}  // namespace

void flush_audit(const std::vector<ssh::Bound<csh_audit_interface>>& audit, std::chrono::milliseconds deadline,
                 log::Logger& logger) {
    auto state = std::make_shared<FlushState>();
    state->done.assign(audit.size(), true);
    for (size_t i = 0; i < audit.size(); ++i) {
        const auto& plugin = audit[i];
        if (!CSH_TABLE_HAS(plugin.api, csh_audit_interface, flush) || plugin.api->flush == nullptr) continue;
        {
            std::lock_guard lock(state->mutex);
            state->done[i] = false;
        }
        plugin.api->flush(plugin.instance, static_cast<uint64_t>(deadline.count()),
                          csh_status_completion{flush_done, new FlushContext{state, i}});
    }
    std::unique_lock lock(state->mutex);
    const auto all_done = [&] {
        for (bool d : state->done) {
            if (!d) return false;
        }
        return true;
    };
    if (state->changed.wait_for(lock, deadline, all_done)) return;
    for (size_t i = 0; i < audit.size(); ++i) {
        if (state->done[i]) continue;
        logger.log(codes::CORE_AUDIT_FLUSH_TIMEOUT,
                   "the audit plugin did not finish within " + std::to_string(deadline.count()) + " ms",
                   {{"plugin", audit[i].id}});
    }
}

}  // namespace csh::app
