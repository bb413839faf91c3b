#include "auth_metrics.hpp"

namespace auth_http {
namespace {

std::string_view retry_label(unsigned attempt) { return attempt == 0 ? "0" : "1"; }

}  // namespace

AuthMetrics::AuthMetrics(const csh::sdk::Host& host)
    : host_(host),
      requests_(host.metric_define(CSH_METRIC_COUNTER, "containerssh_auth_server_requests_total",
                                   "HTTP requests sent to the authentication server, retries included.", "requests",
                                   {"authtype", "retry"})),
      // 5 ms (a local server) to 10 s (the longest sensible per-attempt
      // timeout); config-http's histogram uses the same buckets.
      request_durations_(host.histogram_define("containerssh_auth_server_request_duration_seconds",
                                               "How long each HTTP request to the authentication server took, "
                                               "retries counted one by one, until its answer or its failure.",
                                               "seconds", {"authtype"},
                                               {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10})),
      request_failures_(host.metric_define(CSH_METRIC_COUNTER, "containerssh_auth_server_failures_total",
                                           "Requests to the authentication server that got no usable answer "
                                           "(type soft: retried, hard: given up).",
                                           "failures", {"type", "authtype", "retry", "reason"})),
      successes_(host.metric_define(CSH_METRIC_COUNTER, "containerssh_auth_success_total",
                                    "Decisions of the authentication server that let the user in.", "success",
                                    {"country", "authtype", "retry"})),
      failures_(host.metric_define(CSH_METRIC_COUNTER, "containerssh_auth_failures_total",
                                   "Decisions of the authentication server that refused the user.", "failures",
                                   {"country", "authtype", "retry"})) {}

void AuthMetrics::request_sent(const char* authtype, unsigned attempt) const {
    host_.metric_add(requests_, {authtype, retry_label(attempt)}, 1);
}

void AuthMetrics::request_timed(const char* authtype, std::chrono::steady_clock::duration elapsed) const {
    host_.metric_observe(request_durations_, {authtype}, std::chrono::duration<double>(elapsed).count());
}

void AuthMetrics::request_failed(const char* authtype, unsigned attempt, bool will_retry,
                                 std::string_view reason) const {
    host_.metric_add(request_failures_, {will_retry ? "soft" : "hard", authtype, retry_label(attempt), reason}, 1);
}

void AuthMetrics::decided(bool success, std::string_view country, const char* authtype, bool retried) const {
    host_.metric_add(success ? successes_ : failures_, {country, authtype, retried ? "1" : "0"}, 1);
}

}  // namespace auth_http
