// The configuration-server client's metrics, with ContainerSSH's names and
// labels (reference §5), plus a histogram of how long each attempt took
// (ours; needs a host with histograms, ABI 1.1).
#pragma once

#include <containerssh/sdk/host.hpp>

#include <chrono>
#include <string_view>

namespace config_http {

class ConfigMetrics {
public:
    // [control] Defines the families.
    explicit ConfigMetrics(const csh::sdk::Host& host);

    // [any-thread] One HTTP attempt was sent (`attempt` 0 is the first try).
    void request_sent(unsigned attempt) const;
    // [any-thread] One HTTP attempt ended, answered or not, after `elapsed`.
    void request_timed(std::chrono::steady_clock::duration elapsed) const;
    // [any-thread] One attempt failed ("soft" when retried, else "hard");
    // `reason` is the message code describing it.
    void request_failed(unsigned attempt, bool will_retry, std::string_view reason) const;

private:
    csh::sdk::Host host_;
    csh::sdk::Metric requests_;
    csh::sdk::Metric durations_;
    csh::sdk::Metric failures_;
};

}  // namespace config_http
