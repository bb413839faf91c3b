// The kubernetes.connection qps/burst settings as client-go applies them: a
// token bucket that holds up to `burst` requests and refills at `qps` per
// second. A request that finds the bucket empty is not refused but delayed
// until its token is due, so a burst of logins spreads out instead of
// failing. Shared by every connection's calls. [any-thread]
#pragma once

#include <containerssh/sdk/host.hpp>

#include <chrono>
#include <functional>
#include <mutex>

namespace backend_kubernetes {

class RateLimiter {
public:
    // qps <= 0 disables the limit.
    RateLimiter(double qps, int burst);

    // How long a request made now must wait for its token (zero when one is
    // free); the token is taken.
    std::chrono::milliseconds reserve();

    // [strand] Runs `fn` on `strand` once a token is due: at once (in this
    // call) when one is free, else after the wait.
    void acquire(const csh::sdk::Host& host, csh_strand* strand, std::function<void()> fn);

private:
    std::mutex mutex_;
    double qps_;
    double burst_;
    double tokens_;
    std::chrono::steady_clock::time_point last_;
};

}  // namespace backend_kubernetes
