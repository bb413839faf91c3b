// Removes containers of this gateway that no live connection owns: left
// behind when the gateway was killed, or when the engine was away while a
// connection ended. Runs at start-up and then every few minutes on its own
// strand. Containers are matched by the instance label, so gateways sharing
// an engine never touch each other's containers.
#pragma once

#include "engine/engine_client.hpp"
#include <csh/backend_support/live_connections.hpp>

#include <containerssh/sdk/host.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace backend_docker {

using csh::backend_support::LiveConnections;

class OrphanCollector : public std::enable_shared_from_this<OrphanCollector> {
public:
    static constexpr std::chrono::minutes kInterval{5};

    OrphanCollector(csh::sdk::Host host, std::shared_ptr<EngineClient> engine, std::shared_ptr<LiveConnections> live,
                    std::string instance_id, std::chrono::milliseconds remove_timeout);
    ~OrphanCollector();

    // [any-thread] Starts the first round now, the next ones every kInterval.
    void start();

private:
    void round();
    void schedule();

    csh::sdk::Host host_;
    csh_strand* strand_;
    std::shared_ptr<EngineClient> engine_;
    std::shared_ptr<LiveConnections> live_;
    std::string instance_id_;
    std::chrono::milliseconds remove_timeout_;
    // The next round; cancelled when the collector goes (at the plugin's
    // deinit the loop has stopped, and a pending timer would never fire).
    csh::sdk::Timer next_round_;
};

}  // namespace backend_docker
