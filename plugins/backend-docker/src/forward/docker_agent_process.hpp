// How the Docker backend runs a guest agent's forward-server for the shared
// forwarding code (libs/backend-support, forwarding/): an engine exec in the
// connection's container, created and started without a TTY, its stdout and
// stderr inside the engine's frames (AttachedStream). forward_site() is the
// connection's ForwardSite with the DOCKER_FORWARD_* codes.
#pragma once

#include "connection_context.hpp"
#include "engine/attached_stream.hpp"

#include <csh/backend_support/forwarding/agent_process.hpp>
#include <csh/backend_support/forwarding/forward_site.hpp>

#include <memory>
#include <string>

namespace backend_docker {

class DockerAgentProcess final : public csh::backend_support::AgentProcess,
                                 public std::enable_shared_from_this<DockerAgentProcess> {
public:
    DockerAgentProcess(std::shared_ptr<const ConnectionContext> context, std::string container);
    ~DockerAgentProcess() override;

    void start(std::vector<std::string> command, Events events) override;
    size_t write_input(std::string_view data) override;
    void resume_output() override;
    void end_input() override;
    void close() override;
    void exit_code(std::function<void(std::optional<int64_t>)> done) override;
    void describe(std::vector<csh::sdk::LogField>& fields) const override;

private:
    void attach(csh::loop_http::HttpResponse response);

    std::shared_ptr<const ConnectionContext> context_;
    std::string container_;
    std::string exec_id_;
    Events events_;
    std::shared_ptr<AttachedStream> stream_;
    bool closed_ = false;
};

// The forwarding of the connection whose container is `container`.
std::shared_ptr<const csh::backend_support::ForwardSite> forward_site(std::shared_ptr<const ConnectionContext> context,
                                                                      std::string container);

}  // namespace backend_docker
