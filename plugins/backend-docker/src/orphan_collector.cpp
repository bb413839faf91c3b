#include "orphan_collector.hpp"

#include "connection_context.hpp"
#include "messages.hpp"


namespace backend_docker {

OrphanCollector::OrphanCollector(csh::sdk::Host host, std::shared_ptr<EngineClient> engine,
                                 std::shared_ptr<LiveConnections> live, std::string instance_id,
                                 std::chrono::milliseconds remove_timeout)
    : host_(std::move(host)),
      strand_(host_.strand_create()),
      engine_(std::move(engine)),
      live_(std::move(live)),
      instance_id_(std::move(instance_id)),
      remove_timeout_(remove_timeout) {}

OrphanCollector::~OrphanCollector() {
    next_round_.cancel();
    host_.strand_destroy(strand_);
}

void OrphanCollector::start() {
    std::weak_ptr<OrphanCollector> weak = shared_from_this();
    host_.post(strand_, [weak] {
        if (auto self = weak.lock()) self->round();
    });
}

void OrphanCollector::schedule() {
    std::weak_ptr<OrphanCollector> weak = shared_from_this();
    next_round_ = host_.timer_start(strand_, kInterval, [weak] {
        if (auto self = weak.lock()) self->round();
    });
}

void OrphanCollector::round() {
    host_.log(codes::DOCKER_ORPHAN_CHECK, "looking for containers no connection owns",
              {{"instance", instance_id_}, {"engine", engine_->engine()}});
    std::weak_ptr<OrphanCollector> weak = shared_from_this();
    engine_->list_containers(
        CallSite{strand_, nullptr}, std::string(kInstanceLabel) + "=" + instance_id_,
        [weak](EngineResult r, std::vector<ContainerSummary> containers) {
            auto self = weak.lock();
            if (!self) return;
            self->schedule();
            if (!r.ok()) {
                self->host_.log(codes::DOCKER_ORPHAN_CHECK_FAILED, r.error, {{"engine", self->engine_->engine()}});
                return;
            }
            for (const auto& container : containers) {
                const auto owner = container.labels.find(kConnectionIdLabel);
                const std::string connection_id = owner == container.labels.end() ? "" : owner->second;
                if (!connection_id.empty() && self->live_->contains(connection_id)) continue;
                self->engine_->remove_container(
                    CallSite{self->strand_, nullptr}, container.id, self->remove_timeout_,
                    [weak, id = container.id, connection_id](EngineResult r) {
                        auto self = weak.lock();
                        if (!self) return;
                        if (!r.ok()) {
                            self->host_.log(codes::DOCKER_ORPHAN_CHECK_FAILED, r.error, {{"containerId", id}});
                            return;
                        }
                        self->host_.log(codes::DOCKER_ORPHAN_REMOVED, "removed a container no connection owned",
                                        {{"containerId", id}, {"ownerConnectionId", connection_id}});
                    });
            }
        });
}

}  // namespace backend_docker
