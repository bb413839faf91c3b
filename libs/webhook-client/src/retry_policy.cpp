#include "retry_policy.hpp"

#include <algorithm>

namespace csh::webhook {
namespace {

constexpr std::chrono::milliseconds kFirstDelay{200};
constexpr std::chrono::milliseconds kMaximumDelay{10000};
// Beyond a day a Retry-After is surely not meant for a login in progress.
constexpr long long kMaximumRetryAfterSeconds = 86400;

}  // namespace

bool is_retryable_status(long status) { return status == 429 || (status >= 500 && status <= 599); }

bool is_redirect_status(long status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::chrono::milliseconds backoff_delay(unsigned next_attempt, std::minstd_rand& random) {
    long long base = kFirstDelay.count();
    for (unsigned i = 1; i < next_attempt && base < kMaximumDelay.count(); ++i) base *= 2;
    base = std::min(base, static_cast<long long>(kMaximumDelay.count()));
    std::uniform_int_distribution<long long> spread(base * 3 / 4, base * 5 / 4);
    return std::min(std::chrono::milliseconds(spread(random)), kMaximumDelay);
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value) {
    const size_t start = value.find_first_not_of(" \t");
    const size_t end = value.find_last_not_of(" \t\r\n");
    if (start == std::string_view::npos) return std::nullopt;
    value = value.substr(start, end - start + 1);
    long long seconds = 0;
    for (char c : value) {
        if (c < '0' || c > '9') return std::nullopt;
        seconds = seconds * 10 + (c - '0');
        if (seconds > kMaximumRetryAfterSeconds) return std::nullopt;
    }
    return std::chrono::seconds(seconds);
}

}  // namespace csh::webhook
