#include "config_metrics.hpp"

namespace config_http {

ConfigMetrics::ConfigMetrics(const csh::sdk::Host& host)
    : host_(host),
      requests_(host.metric_define(CSH_METRIC_COUNTER, "containerssh_config_server_requests_total",
                                   "HTTP requests sent to the configuration server, retries included.", "requests",
                                   {"retry"})),
      failures_(host.metric_define(CSH_METRIC_COUNTER, "containerssh_config_server_failures_total",
                                   "Requests to the configuration server that got no usable answer "
                                   "(type soft: retried, hard: given up).",
                                   "failures", {"type", "retry", "reason"})) {}

void ConfigMetrics::request_sent(unsigned attempt) const {
    host_.metric_add(requests_, {attempt == 0 ? "0" : "1"}, 1);
}

void ConfigMetrics::request_failed(unsigned attempt, bool will_retry, std::string_view reason) const {
    host_.metric_add(failures_, {will_retry ? "soft" : "hard", attempt == 0 ? "0" : "1", reason}, 1);
}

}  // namespace config_http
