// When a webhook attempt is worth repeating, and how long to wait first.
#pragma once

#include <chrono>
#include <optional>
#include <random>
#include <string_view>

namespace csh::webhook {

// 5xx and 429 ask to try again; every other status is an answer the caller
// judges (200 or not).
bool is_retryable_status(long status);

// A 301/302/303/307/308, the statuses that name a new location.
bool is_redirect_status(long status);

// The wait before attempt `next_attempt` (1 = the first retry): about 200ms,
// doubling each time, capped at 10s, each spread by ±25% so that many
// clients failing together do not retry in step.
std::chrono::milliseconds backoff_delay(unsigned next_attempt, std::minstd_rand& random);

// The delay-seconds form of a Retry-After header value ("120"); nullopt for
// the HTTP-date form or anything unreadable (the caller falls back to the
// backoff then).
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value);

}  // namespace csh::webhook
