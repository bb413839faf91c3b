#include "config_metrics.hpp"

namespace config_http {

ConfigMetrics::ConfigMetrics(const csh::sdk::Host& host)
    : host_(host),
      requests_(host.metric_define(CSH_METRIC_COUNTER, "containerssh_config_server_requests_total",
                                   "HTTP requests sent to the configuration server, retries included.", "requests",
                                   {"retry"})),
      // No labels: like auth-http's histogram, every attempt (first try or
      // retry) is one observation. Same buckets as auth-http's.
      durations_(host.histogram_define("containerssh_config_server_request_duration_seconds",
                                       "How long each HTTP request to the configuration server took, retries "
                                       "counted one by one, until its answer or its failure.",
                                       "seconds", {}, {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10})),
      failures_(host.metric_define(CSH_METRIC_COUNTER, "containerssh_config_server_failures_total",
                                   "Requests to the configuration server that got no usable answer "
                                   "(type soft: retried, hard: given up).",
                                   "failures", {"type", "retry", "reason"})) {}

void ConfigMetrics::request_sent(unsigned attempt) const {
    host_.metric_add(requests_, {attempt == 0 ? "0" : "1"}, 1);
}

void ConfigMetrics::request_timed(std::chrono::steady_clock::duration elapsed) const {
    host_.metric_observe(durations_, {}, std::chrono::duration<double>(elapsed).count());
}

void ConfigMetrics::request_failed(unsigned attempt, bool will_retry, std::string_view reason) const {
    host_.metric_add(failures_, {will_retry ? "soft" : "hard", attempt == 0 ? "0" : "1", reason}, 1);
}

}  // namespace config_http
