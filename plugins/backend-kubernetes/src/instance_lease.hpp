// How replicas sharing a namespace know which of them are alive: each keeps
// a Lease (coordination.k8s.io/v1) named containerssh-<instance id>,
// renewed every kRenewInterval with a duration of kDuration. A pod whose
// instance has no lease, or one not renewed within its duration (plus a
// margin for clock skew), belongs to a gateway that is gone.
//
// A dead instance's pods are collected by one replica only: the collector
// first takes the dead lease over (a replace with its resourceVersion, so
// of two replicas trying at once one gets 409 Conflict and stands back),
// deletes the pods, then the lease.
#pragma once

#include "api/api_client.hpp"

#include <containerssh/sdk/host.hpp>

#include <chrono>
#include <ctime>
#include <memory>
#include <optional>
#include <string>

namespace backend_kubernetes {

inline constexpr std::chrono::seconds kLeaseDuration{60};
inline constexpr std::chrono::seconds kLeaseRenewInterval{15};
// Clocks of two machines differ: a lease counts as expired only this long
// after its renewTime + duration.
inline constexpr std::chrono::seconds kLeaseSkewMargin{30};
// The timing in force: the constants above, unless a test shortens them
// with CONTAINERSSH_KUBERNETES_LEASE_DURATION (seconds; the lease is then
// renewed every quarter of it) and CONTAINERSSH_KUBERNETES_LEASE_SKEW_MARGIN
// (seconds). Test-only: a minute-long lease makes takeover tests too slow,
// and a short one in production would let a busy gateway be taken for gone.
std::chrono::seconds lease_duration();
std::chrono::seconds lease_renew_interval();
std::chrono::seconds lease_skew_margin();
// A positive whole number of seconds from the environment variable `name`,
// else `fallback` (unset, empty or not a positive number).
std::chrono::seconds seconds_from_environment(const char* name, std::chrono::seconds fallback);

inline constexpr const char* kLeaseLabel = "app.kubernetes.io/managed-by";
// The timing in force: the constants above, unless a test shortens them
// with CONTAINERSSH_KUBERNETES_LEASE_DURATION (seconds; the lease is then
// renewed every quarter of it) and CONTAINERSSH_KUBERNETES_LEASE_SKEW_MARGIN
// (seconds). Test-only: a minute-long lease makes takeover tests too slow,
// and a short one in production would let a busy gateway be taken for gone.
std::chrono::seconds lease_duration();
std::chrono::seconds lease_renew_interval();
std::chrono::seconds lease_skew_margin();
// A positive whole number of seconds from the environment variable `name`,
// else `fallback` (unset, empty or not a positive number).
std::chrono::seconds seconds_from_environment(const char* name, std::chrono::seconds fallback);

inline constexpr const char* kLeaseLabelValue = "containerssh";

std::string lease_name(const std::string& instance_id);
// The Lease object for `instance_id` (holder `holder`, renewed at `now`);
// `resource_version` empty for a create.
std::string lease_body(const std::string& ns, const std::string& instance_id, const std::string& holder,
                       std::time_t now, const std::string& resource_version);
// RFC 3339 with microseconds ("2026-12-07T13:00:00.000000Z") and back.
std::string micro_time(std::time_t t);
std::optional<std::time_t> parse_micro_time(const std::string& text);
bool lease_expired(const LeaseView& lease, std::time_t now);

class InstanceLease : public std::enable_shared_from_this<InstanceLease> {
public:
    InstanceLease(csh::sdk::Host host, std::shared_ptr<ApiClient> api, std::string ns, std::string instance_id);
    ~InstanceLease();

    // [any-thread] Creates (or takes back) the lease, then renews it; `ready`
    // runs on the lease's strand after the first attempt, whatever it gave.
    void start(std::function<void()> ready);

private:
    void renew();
    void schedule();
    void log_failure(const ApiResult& r);

    csh::sdk::Host host_;
    csh_strand* strand_;
    std::shared_ptr<ApiClient> api_;
    std::string namespace_;
    std::string instance_id_;
    std::string resource_version_;
    std::function<void()> ready_;
    csh::sdk::Timer next_;
};

}  // namespace backend_kubernetes
