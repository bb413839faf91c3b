#include "host/event_loop.hpp"

#include <algorithm>

namespace csh::host {

EventLoop::EventLoop(unsigned threads)
    : work_(boost::asio::make_work_guard(io_)),
      thread_count_(threads != 0 ? threads : std::max(2u, std::thread::hardware_concurrency())) {}

EventLoop::~EventLoop() { stop_and_join(); }

void EventLoop::start() {
    for (unsigned i = 0; i < thread_count_; ++i) {
        threads_.emplace_back([this] { io_.run(); });
    }
}

void EventLoop::stop_and_join() {
    work_.reset();
    io_.stop();
    for (auto& t : threads_) {
        if (t.joinable()) t.join();
    }
    threads_.clear();
}

}  // namespace csh::host
