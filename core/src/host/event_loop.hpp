// The process's one Boost.Asio io_context, run by a small fixed pool of
// threads. Every connection gets a strand of it; nothing gets a thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/executor_work_guard.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

// The ABI's opaque strand type, defined here: a strand of the shared context.
struct csh_strand {
    explicit csh_strand(boost::asio::io_context& io) : executor(boost::asio::make_strand(io)) {}
    boost::asio::strand<boost::asio::io_context::executor_type> executor;
};

namespace csh::host {

class EventLoop {
public:
    // `threads` == 0 picks one per core, at least two.
    explicit EventLoop(unsigned threads = 0);
    ~EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    boost::asio::io_context& context() { return io_; }
    // Starts the pool; returns at once.
    void start();
    // Lets the pool run what is already queued (cancelled timers, completions)
    // for up to `drain`, then stops it and joins. Stopping at once would drop
    // queued handlers, and the objects only they free.
    void stop_and_join(std::chrono::milliseconds drain = std::chrono::seconds(2));

private:
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    std::vector<std::thread> threads_;
    unsigned thread_count_;
    std::mutex mutex_;
    std::condition_variable idle_;
    unsigned running_ = 0;
};

}  // namespace csh::host
