#include "csh/webhook/webhook_outcome.hpp"

#include "retry_policy.hpp"

namespace csh::webhook {

Outcome classify(const HttpResult& result) {
    const std::string tries = " after " + std::to_string(result.attempts) +
                              (result.attempts == 1 ? " try" : " tries");
    if (result.cancelled) return {Outcome::Kind::cancelled, "cancelled"};
    if (result.failure_code != nullptr) return {Outcome::Kind::unavailable, result.failure + tries};
    if (result.status == 200) return {Outcome::Kind::answered, {}};
    const std::string status = "HTTP status " + std::to_string(result.status);
    if (is_retryable_status(result.status)) return {Outcome::Kind::unavailable, status + tries};
    return {Outcome::Kind::invalid_status, status};
}

}  // namespace csh::webhook
