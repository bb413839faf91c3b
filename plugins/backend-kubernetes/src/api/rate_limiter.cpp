#include "api/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace backend_kubernetes {

RateLimiter::RateLimiter(double qps, int burst)
    : qps_(qps), burst_(std::max(1, burst)), tokens_(burst_), last_(std::chrono::steady_clock::now()) {}

std::chrono::milliseconds RateLimiter::reserve() {
    if (qps_ <= 0) return std::chrono::milliseconds(0);
    std::lock_guard<std::mutex> lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    tokens_ = std::min(burst_, tokens_ + std::chrono::duration<double>(now - last_).count() * qps_);
    last_ = now;
    tokens_ -= 1;
    if (tokens_ >= 0) return std::chrono::milliseconds(0);
    // The bucket owes tokens: this request waits until its own is refilled.
    return std::chrono::milliseconds(static_cast<int64_t>(std::ceil(-tokens_ / qps_ * 1000)));
}

void RateLimiter::acquire(const csh::sdk::Host& host, csh_strand* strand, std::function<void()> fn) {
    const std::chrono::milliseconds wait = reserve();
    if (wait.count() == 0) {
        fn();
        return;
    }
    host.run_after(strand, wait, std::move(fn));
}

}  // namespace backend_kubernetes
