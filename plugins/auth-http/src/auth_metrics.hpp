// The auth webhook's metrics, with ContainerSSH's names and labels
// (reference §5), so existing dashboards find them, plus a histogram of how
// long each attempt took (ours; needs a host with histograms, ABI 1.1).
#pragma once

#include <containerssh/sdk/host.hpp>

#include <chrono>
#include <string_view>

namespace auth_http {

// authtype label values, as ContainerSSH writes them.
inline constexpr const char* kAuthtypePassword = "password";
inline constexpr const char* kAuthtypePublicKey = "pubkey";
inline constexpr const char* kAuthtypeAuthz = "authorization";

class AuthMetrics {
public:
    // [control] Defines the families.
    explicit AuthMetrics(const csh::sdk::Host& host);

    // [any-thread] One HTTP attempt was sent (`attempt` 0 is the first try).
    void request_sent(const char* authtype, unsigned attempt) const;
    // [any-thread] One HTTP attempt ended, answered or not, after `elapsed`.
    void request_timed(const char* authtype, std::chrono::steady_clock::duration elapsed) const;
    // [any-thread] One attempt failed; `will_retry` makes it "soft", else
    // "hard". `reason` is the message code that describes the failure.
    void request_failed(const char* authtype, unsigned attempt, bool will_retry, std::string_view reason) const;
    // [any-thread] The server decided; `retried` when it took more than one try.
    void decided(bool success, std::string_view country, const char* authtype, bool retried) const;

private:
    csh::sdk::Host host_;
    csh::sdk::Metric requests_;
    csh::sdk::Metric request_durations_;
    csh::sdk::Metric request_failures_;
    csh::sdk::Metric successes_;
    csh::sdk::Metric failures_;
};

}  // namespace auth_http
