// How the Kubernetes backend runs a guest agent's forward-server for the
// shared forwarding code (libs/backend-support, forwarding/): a pods/exec
// WebSocket (ExecStream) in the console container of the connection's pod,
// without a TTY, stdout and stderr on their own channels. forward_site() is
// the connection's ForwardSite with the KUBERNETES_FORWARD_* codes.
//
// Ending the process: over v5 its stdin is closed ([255, 0]); v4 cannot end
// stdin without closing the whole stream, so close(), which always follows,
// is what ends it there (the API server closes the exec's stdin when the
// stream goes).
#pragma once

#include "connection_context.hpp"
#include "pod_lifecycle.hpp"

#include <csh/backend_support/forwarding/agent_process.hpp>
#include <csh/backend_support/forwarding/forward_site.hpp>

#include <memory>
#include <optional>
#include <string>

namespace backend_kubernetes {

class KubernetesAgentProcess final : public csh::backend_support::AgentProcess,
                                     public std::enable_shared_from_this<KubernetesAgentProcess> {
public:
    KubernetesAgentProcess(std::shared_ptr<const ConnectionContext> context, PodRef pod);
    ~KubernetesAgentProcess() override;

    void start(std::vector<std::string> command, Events events) override;
    size_t write_input(std::string_view data) override;
    void resume_output() override;
    void end_input() override;
    void close() override;
    void exit_code(std::function<void(std::optional<int64_t>)> done) override;
    void describe(std::vector<csh::sdk::LogField>& fields) const override;

private:
    void opened(std::shared_ptr<ExecStream> stream, const std::string& error);

    std::shared_ptr<const ConnectionContext> context_;
    PodRef pod_;
    Events events_;
    std::shared_ptr<ExecStream> stream_;
    std::optional<int64_t> exit_code_;
    bool closed_ = false;
};

// The forwarding of the connection whose pod is `pod` (empty in session mode).
std::shared_ptr<const csh::backend_support::ForwardSite> forward_site(std::shared_ptr<const ConnectionContext> context,
                                                                      PodRef pod);

}  // namespace backend_kubernetes
