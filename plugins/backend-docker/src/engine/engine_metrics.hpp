// The Docker backend's metrics: ContainerSSH's two backend counters (same
// names and labels, reference §5, so existing dashboards keep working) and a
// histogram of how long each Engine API request took, by operation.
//
// Defined once, when the plugin initialises (definitions are [control]), and
// shared by every EngineClient, including those made later for a connection
// whose configuration names another engine.
#pragma once

#include <containerssh/sdk/host.hpp>

#include <chrono>

namespace backend_docker {

// One kind of Engine API request: `label` is the histogram's operation label
// (a fixed, small set), `description` names it in error texts.
struct EngineOperation {
    const char* label;
    const char* description;
};

class EngineMetrics {
public:
    // [control] Defines the families. On a host without histograms (ABI 1.0)
    // only the counters exist.
    explicit EngineMetrics(const csh::sdk::Host& host);

    // [any-thread] One HTTP request to the engine ended after `elapsed`;
    // `failed` when it got no answer or one the operation counts as an error.
    void request_done(const EngineOperation& operation, bool failed, std::chrono::steady_clock::duration elapsed) const;

private:
    csh::sdk::Host host_;
    csh::sdk::Metric requests_;
    csh::sdk::Metric errors_;
    csh::sdk::Metric durations_;
};

}  // namespace backend_docker
