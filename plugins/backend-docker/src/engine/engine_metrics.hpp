// The Docker backend's metrics: the shared backend metrics
// (libs/backend-support) with ContainerSSH's label for this backend,
// backend="docker".
#pragma once

#include <csh/backend_support/backend_metrics.hpp>

namespace backend_docker {

using EngineOperation = csh::backend_support::BackendOperation;

class EngineMetrics : public csh::backend_support::BackendMetrics {
public:
    // [control]
    explicit EngineMetrics(const csh::sdk::Host& host) : BackendMetrics(host, "docker") {}
};

}  // namespace backend_docker
