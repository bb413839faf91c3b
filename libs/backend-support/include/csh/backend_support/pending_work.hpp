// Counts the work a backend connection still has in flight (API calls,
// retries, container or pod removals), so that closing the connection waits for it:
// the connection's strand and log handle must outlive everything that uses
// them. [connection-strand]: tokens are taken and dropped on that strand.
#pragma once

#include <containerssh/sdk/host.hpp>

#include <functional>
#include <memory>

namespace csh::backend_support {

class PendingWork : public std::enable_shared_from_this<PendingWork> {
public:
    PendingWork(csh::sdk::Host host, csh_strand* strand) : host_(std::move(host)), strand_(strand) {}

    // A token: the work counts as pending until every copy is gone.
    std::shared_ptr<void> hold() {
        ++count_;
        auto self = shared_from_this();
        return std::shared_ptr<void>(nullptr, [self](void*) { self->release(); });
    }

    // Runs `done` (posted to the strand) once nothing is pending.
    void when_idle(std::function<void()> done) {
        waiter_ = std::move(done);
        if (count_ == 0) notify();
    }

private:
    void release() {
        if (--count_ == 0 && waiter_) notify();
    }
    void notify() {
        auto waiter = std::move(waiter_);
        waiter_ = nullptr;
        host_.post(strand_, std::move(waiter));
    }

    csh::sdk::Host host_;
    csh_strand* strand_;
    size_t count_ = 0;
    std::function<void()> waiter_;
};

}  // namespace csh::backend_support
