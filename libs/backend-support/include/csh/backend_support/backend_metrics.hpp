// A backend's metrics: ContainerSSH's two backend counters (same names and
// labels, reference §5, so existing dashboards keep working) and a histogram
// of how long each request to the container API (Docker's Engine API, the
// Kubernetes API server) took, by operation.
//
// Defined once, when the plugin initialises (definitions are [control]), and
// shared by every client of that API the plugin makes, including those made
// later for a connection whose configuration names another endpoint.
#pragma once

#include <containerssh/sdk/host.hpp>

#include <chrono>
#include <string>

namespace csh::backend_support {

// One kind of API request: `label` is the histogram's operation label
// (a fixed, small set), `description` names it in error texts.
struct BackendOperation {
    const char* label;
    const char* description;
};

class BackendMetrics {
public:
    // [control] Defines the families; `backend` is the label value
    // ContainerSSH gives the backend ("docker", "kubernetes"). On a host
    // without histograms (ABI 1.0) only the counters exist.
    BackendMetrics(const csh::sdk::Host& host, std::string backend);

    // [any-thread] One HTTP request ended after `elapsed`; `failed` when it
    // got no answer or one the operation counts as an error.
    void request_done(const BackendOperation& operation, bool failed,
                      std::chrono::steady_clock::duration elapsed) const;

private:
    csh::sdk::Host host_;
    std::string backend_;
    csh::sdk::Metric requests_;
    csh::sdk::Metric errors_;
    csh::sdk::Metric durations_;
};

}  // namespace csh::backend_support
