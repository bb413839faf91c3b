#include "orphan_collector.hpp"

#include "instance_lease.hpp"
#include "manifests.hpp"
#include "messages.hpp"

#include <ctime>
#include <map>

namespace backend_kubernetes {

OrphanCollector::OrphanCollector(csh::sdk::Host host, std::shared_ptr<ApiClient> api,
                                 std::shared_ptr<csh::backend_support::LiveConnections> live, std::string ns,
                                 std::string instance_id, std::chrono::seconds grace)
    : host_(std::move(host)),
      strand_(host_.strand_create()),
      api_(std::move(api)),
      live_(std::move(live)),
      namespace_(std::move(ns)),
      instance_id_(std::move(instance_id)),
      grace_(grace) {}

OrphanCollector::~OrphanCollector() {
    next_round_.cancel();
    host_.strand_destroy(strand_);
}

void OrphanCollector::start() {
    auto self = shared_from_this();
    host_.post(strand_, [self] { self->round(); });
}

std::chrono::seconds OrphanCollector::interval() {
    static const auto every = seconds_from_environment("CONTAINERSSH_KUBERNETES_ORPHAN_INTERVAL", kInterval);
    return every;
}

void OrphanCollector::schedule() {
    auto weak = weak_from_this();
    next_round_ = host_.timer_start(strand_, interval(), [weak] {
        if (auto self = weak.lock()) self->round();
    });
}

void OrphanCollector::round() {
    auto weak = weak_from_this();
    api_->list_pods(CallSite{strand_, {}}, namespace_, kInstanceLabel, [weak](ApiResult r, std::vector<PodView> pods) {
        auto self = weak.lock();
        if (!self) return;
        if (!r.ok()) {
            self->host_.log(codes::KUBERNETES_ORPHAN_COLLECTION_FAILED, r.error,
                            {{"namespace", self->namespace_}, {"server", self->api_->server()}});
        } else {
            self->collect_pods(std::move(pods));
        }
        self->schedule();
    });
}

void OrphanCollector::collect_pods(std::vector<PodView> pods) {
    std::map<std::string, std::vector<PodView>> others;
    for (PodView& pod : pods) {
        if (pod.deleting) continue;
        const auto instance = pod.labels.find(kInstanceLabel);
        if (instance == pod.labels.end()) continue;
        if (instance->second != instance_id_) {
            others[instance->second].push_back(std::move(pod));
            continue;
        }
        const auto connection = pod.labels.find(kConnectionIdLabel);
        if (connection != pod.labels.end() && live_->contains(connection->second)) continue;
        delete_pod(pod, "no connection of this gateway owns it");
    }
    for (auto& [instance, its_pods] : others) judge_instance(instance, std::move(its_pods));
}

// Another gateway's pods: collected only when its lease says it is gone.
void OrphanCollector::judge_instance(const std::string& instance, std::vector<PodView> pods) {
    auto weak = weak_from_this();
    api_->get_lease(CallSite{strand_, {}}, namespace_, lease_name(instance),
                    [weak, instance, pods = std::move(pods)](ApiResult r, LeaseView lease) mutable {
                        auto self = weak.lock();
                        if (!self) return;
                        if (r.status == 404) {
                            // No lease: a gateway from before leases, or one
                            // whose lease a collector already deleted.
                            for (const PodView& pod : pods) {
                                self->delete_pod(pod, "its gateway (instance " + instance + ") keeps no lease");
                            }
                            return;
                        }
                        if (!r.ok()) {
                            self->host_.log(codes::KUBERNETES_ORPHAN_COLLECTION_FAILED, r.error,
                                            {{"namespace", self->namespace_}, {"instance", instance}});
                            return;
                        }
                        if (!lease_expired(lease, std::time(nullptr))) return;  // alive: hands off
                        self->take_over(instance, lease, std::move(pods));
                    });
}

void OrphanCollector::take_over(const std::string& instance, const LeaseView& lease, std::vector<PodView> pods) {
    auto weak = weak_from_this();
    // Only the replica whose replace wins collects; the others get 409.
    const std::string body = lease_body(namespace_, instance, instance_id_ + " (collecting)", std::time(nullptr),
                                        lease.resource_version);
    api_->replace_lease(CallSite{strand_, {}}, namespace_, lease.name, body,
                        [weak, instance, pods = std::move(pods)](ApiResult r, LeaseView) {
                            auto self = weak.lock();
                            if (!self || !r.ok()) return;
                            for (const PodView& pod : pods) {
                                self->delete_pod(pod, "its gateway (instance " + instance + ") is gone: its lease expired");
                            }
                            self->api_->delete_lease(CallSite{self->strand_, {}}, self->namespace_,
                                                     lease_name(instance), [](ApiResult) {});
                        });
}

void OrphanCollector::delete_pod(const PodView& pod, const std::string& why) {
    auto weak = weak_from_this();
    const std::string name = pod.name;
    const std::string ns = pod.namespace_.empty() ? namespace_ : pod.namespace_;
    api_->delete_pod(CallSite{strand_, {}}, ns, name, grace_, [weak, name, ns, why](ApiResult r) {
        auto self = weak.lock();
        if (!self) return;
        if (r.ok()) {
            self->host_.log(codes::KUBERNETES_ORPHAN_REMOVED, "deleted a pod left behind: " + why,
                            {{"pod", name}, {"namespace", ns}});
        } else {
            self->host_.log(codes::KUBERNETES_ORPHAN_COLLECTION_FAILED, r.error, {{"pod", name}, {"namespace", ns}});
        }
    });
}

}  // namespace backend_kubernetes
