#include "host/event_loop.hpp"

#include <algorithm>

namespace csh::host {

EventLoop::EventLoop(unsigned threads)
    : work_(boost::asio::make_work_guard(io_)),
      thread_count_(threads != 0 ? threads : std::max(2u, std::thread::hardware_concurrency())) {}

EventLoop::~EventLoop() { stop_and_join(); }

void EventLoop::start() {
    running_ = thread_count_;
    for (unsigned i = 0; i < thread_count_; ++i) {
        threads_.emplace_back([this] {
            io_.run();
            std::lock_guard lock(mutex_);
            --running_;
            idle_.notify_all();
        });
    }
}

void EventLoop::stop_and_join(std::chrono::milliseconds drain) {
    // Without the work guard, run() returns once nothing is queued or pending.
    work_.reset();
    {
        std::unique_lock lock(mutex_);
        idle_.wait_for(lock, drain, [this] { return running_ == 0; });
    }
    io_.stop();  // whatever is still pending (a long timer) is abandoned
    for (auto& t : threads_) {
        if (t.joinable()) t.join();
    }
    threads_.clear();
}

}  // namespace csh::host
