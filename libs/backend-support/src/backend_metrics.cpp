#include <csh/backend_support/backend_metrics.hpp>

namespace csh::backend_support {

BackendMetrics::BackendMetrics(const csh::sdk::Host& host, std::string backend)
    : host_(host),
      backend_(std::move(backend)),
      requests_(host.metric_define(CSH_METRIC_COUNTER, "containerssh_backend_requests_total",
                                   "Requests the backend sent to the container engine's API.", "requests",
                                   {"backend"})),
      errors_(host.metric_define(CSH_METRIC_COUNTER, "containerssh_backend_errors_total",
                                 "Requests to the container engine's API that failed: no answer, or an answer "
                                 "the operation treats as an error.",
                                 "errors", {"backend"})),
      // From a millisecond (inspecting on a local socket) to five minutes
      // (pulling a large image), so both ends land in a finite bucket.
      durations_(host.histogram_define("containerssh_backend_request_duration_seconds",
                                       "How long each request to the container engine's API took, from "
                                       "connecting until the answer (or the failure).",
                                       "seconds", {"backend", "operation"},
                                       {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
                                        60, 300})) {}

void BackendMetrics::request_done(const BackendOperation& operation, bool failed,
                                  std::chrono::steady_clock::duration elapsed) const {
    host_.metric_add(requests_, {backend_}, 1);
    if (failed) host_.metric_add(errors_, {backend_}, 1);
    host_.metric_observe(durations_, {backend_, operation.label}, std::chrono::duration<double>(elapsed).count());
}

}  // namespace csh::backend_support
