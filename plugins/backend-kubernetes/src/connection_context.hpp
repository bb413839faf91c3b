// What every Kubernetes operation of one SSH connection needs: the host, the
// connection's effective kubernetes settings, the API client, the strand and
// the facts that end up in the pod's labels, annotations and environment.
#pragma once

#include "api/api_client.hpp"
#include "kubernetes_config.hpp"

#include <containerssh/sdk/host.hpp>
#include <csh/backend_support/live_connections.hpp>
#include <csh/backend_support/pending_work.hpp>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace backend_kubernetes {

using csh::backend_support::LiveConnections;
using csh::backend_support::PendingWork;

struct ConnectionContext {
    csh::sdk::Host host;
    std::shared_ptr<const KubernetesConfig> config;
    std::shared_ptr<ApiClient> api;
    std::shared_ptr<LiveConnections> live;
    csh_strand* strand = nullptr;
    csh_connection* connection = nullptr;
    std::string connection_id;
    std::string username;
    std::string remote_ip;
    std::string instance_id;
    // The auth and config metadata, for the manifest's labels, annotations
    // and environment (exposeAuthMetadataAs*).
    std::map<std::string, std::string> metadata;
    // The metadata's environment items, in order.
    std::vector<std::pair<std::string, std::string>> environment;
    // path -> contents, from the metadata's file items.
    std::map<std::string, std::string> files;

    // Work in flight for this connection; closing waits for it.
    std::shared_ptr<PendingWork> work;

    CallSite site() const { return CallSite{strand, work->hold()}; }

    void log(const char* code, const std::string& message,
             std::initializer_list<csh::sdk::LogField> fields = {}) const {
        host.log(code, message, fields, connection);
    }
};

}  // namespace backend_kubernetes
