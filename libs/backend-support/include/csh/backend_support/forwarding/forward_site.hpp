// What a backend supplies to the shared forwarding code for one connection:
// where to log and with which codes (each plugin keeps its own,
// DOCKER_FORWARD_*, KUBERNETES_FORWARD_*), the strand, the agent's path, and
// how to run a forward-server in the connection's container or pod.
#pragma once

#include "csh/backend_support/forwarding/agent_process.hpp"

#include <containerssh/sdk/host.hpp>

#include <functional>
#include <initializer_list>
#include <memory>
#include <string>

namespace csh::backend_support {

// The plugin's code for each event; the plugin's messages.def explains them.
struct ForwardCodes {
    const char* not_available;
    const char* agent_start;
    const char* agent_ready;
    const char* agent_log;
    const char* agent_ended;
    const char* agent_failed;
    const char* protocol_error;
    const char* connected;
    const char* refused;
    const char* listening;
    const char* listen_failed;
    const char* listen_stopped;
};

struct ForwardSite {
    csh::sdk::Host host;
    csh_strand* strand = nullptr;
    csh_connection* connection = nullptr;
    // "Docker", "Kubernetes": named where a kind of forwarding is refused.
    std::string backend;
    std::string agent_path;
    const ForwardCodes* codes = nullptr;
    // A process in the connection's container, not started yet.
    std::function<std::shared_ptr<AgentProcess>()> new_process;

    void log(const char* code, const std::string& message,
             std::initializer_list<csh::sdk::LogField> fields = {}) const {
        host.log(code, message, fields, connection);
    }
};

}  // namespace csh::backend_support
