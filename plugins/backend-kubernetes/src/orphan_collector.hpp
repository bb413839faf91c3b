// Deletes pods of this gateway that no live connection owns (left behind
// when the gateway was killed, or when the API server was away while a
// connection ended), and pods of gateways that are gone (their lease
// expired; see instance_lease.hpp). Runs at start-up and then every
// kInterval on its own strand, in the namespace of the file's pod settings.
// Persistent-mode pods carry no instance label and are never touched.
#pragma once

#include "api/api_client.hpp"

#include <containerssh/sdk/host.hpp>
#include <csh/backend_support/live_connections.hpp>

#include <chrono>
#include <memory>
#include <set>
#include <string>

namespace backend_kubernetes {

class OrphanCollector : public std::enable_shared_from_this<OrphanCollector> {
public:
    static constexpr std::chrono::seconds kInterval{60};
    // kInterval, or CONTAINERSSH_KUBERNETES_ORPHAN_INTERVAL seconds: a test
    // that watches several rounds cannot wait minutes (test-only).
    static std::chrono::seconds interval();

    OrphanCollector(csh::sdk::Host host, std::shared_ptr<ApiClient> api,
                    std::shared_ptr<csh::backend_support::LiveConnections> live, std::string ns,
                    std::string instance_id, std::chrono::seconds grace);
    ~OrphanCollector();

    // [any-thread] Starts the first round now, the next ones every kInterval.
    void start();

private:
    void round();
    void collect_pods(std::vector<PodView> pods);
    void judge_instance(const std::string& instance, std::vector<PodView> pods);
    void take_over(const std::string& instance, const LeaseView& lease, std::vector<PodView> pods);
    void delete_pod(const PodView& pod, const std::string& why);
    void schedule();

    csh::sdk::Host host_;
    csh_strand* strand_;
    std::shared_ptr<ApiClient> api_;
    std::shared_ptr<csh::backend_support::LiveConnections> live_;
    std::string namespace_;
    std::string instance_id_;
    std::chrono::seconds grace_;
    csh::sdk::Timer next_round_;
};

}  // namespace backend_kubernetes
