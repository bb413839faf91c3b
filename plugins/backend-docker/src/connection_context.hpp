// What every Docker operation of one SSH connection needs: the host, the
// connection's effective docker settings, the engine client, the strand and
// the facts that end up in labels and environment.
#pragma once

#include "docker_config.hpp"
#include "engine/engine_client.hpp"

#include <containerssh/sdk/host.hpp>
#include <csh/backend_support/live_connections.hpp>
#include <csh/backend_support/pending_work.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace backend_docker {

using csh::backend_support::LiveConnections;
using csh::backend_support::PendingWork;

struct ConnectionContext {
    csh::sdk::Host host;
    std::shared_ptr<const DockerConfig> config;
    std::shared_ptr<EngineClient> engine;
    std::shared_ptr<LiveConnections> live;
    csh_strand* strand = nullptr;
    csh_connection* connection = nullptr;
    std::string connection_id;
    std::string username;
    std::string remote_ip;
    std::string instance_id;
    // NAME=VALUE from the auth and config metadata (environment items, and
    // every generic item with exposeAuthMetadataAsEnv).
    std::vector<std::string> environment;
    // path -> contents, from the metadata's file items.
    std::map<std::string, std::string> files;

    // Work in flight for this connection; closing waits for it.
    std::shared_ptr<PendingWork> work;

    // Where this connection's engine calls run; each call counts as pending
    // work until it is over.
    CallSite site() const { return CallSite{strand, work->hold()}; }

    // The labels a new container carries.
    std::map<std::string, std::string> labels() const;

    void log(const char* code, const std::string& message,
             std::initializer_list<csh::sdk::LogField> fields = {}) const {
        host.log(code, message, fields, connection);
    }
};

// Label keys, as ContainerSSH sets them, plus our instance label.
inline constexpr const char* kConnectionIdLabel = "containerssh_connection_id";
inline constexpr const char* kUsernameLabel = "containerssh_username";
inline constexpr const char* kIpLabel = "containerssh_ip";
inline constexpr const char* kInstanceLabel = "containerssh_instance";

inline std::map<std::string, std::string> ConnectionContext::labels() const {
    return {{kConnectionIdLabel, connection_id},
            {kUsernameLabel, username},
            {kIpLabel, remote_ip},
            {kInstanceLabel, instance_id}};
}

}  // namespace backend_docker
