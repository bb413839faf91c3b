// The Authorization header of API requests. A bearer token file is read again
// when the last read is a minute old: the kubelet rotates projected
// service-account tokens (about hourly), and a token read once at start-up
// would expire under a long-running gateway.
#pragma once

#include "kubernetes_config.hpp"

#include <chrono>
#include <mutex>
#include <string>

namespace backend_kubernetes {

class ApiCredentials {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::chrono::seconds kRereadAfter{60};

    explicit ApiCredentials(const ApiConnection& connection);

    // [any-thread] "Bearer <token>", "Basic <base64>", or "" when the
    // connection authenticates with a client certificate only (or not at
    // all). When the token file cannot be read again, the last token read
    // stays in use and `problem` is set to the reason (never the token) for
    // the caller to log; it is cleared otherwise.
    std::string authorization(std::string& problem);
    std::string authorization() {
        std::string ignored;
        return authorization(ignored);
    }

    // For tests: the time the next call believes it is.
    void set_clock_for_test(Clock::time_point now) { test_now_ = now; }

private:
    std::string fixed_;       // basic or static bearer header
    std::string token_file_;  // "" without a file
    std::mutex mutex_;
    std::string file_header_;
    Clock::time_point read_at_{};
    bool read_once_ = false;
    Clock::time_point test_now_{};
};

}  // namespace backend_kubernetes
