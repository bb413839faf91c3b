// One remote forward (ssh -R) on the Docker backend: a guest-agent
// forward-server listening in the connection's container (its network
// namespace), each accepted connection brought back to the client as a
// forwarded-tcpip channel. Stopping it (the client's cancel, the end of the
// connection) stops the listening; connections already open run on until
// they close, then the agent exits.
#pragma once

#include "forward/forward_exec.hpp"

#include <containerssh/sdk/listen.hpp>

#include <memory>

namespace backend_docker {

class DockerListener final : public csh::sdk::BackendListener {
public:
    // Starts the listening agent; `done` hears the bound port or why not.
    // The exec is also handed to `started` so the connection can end it.
    static void start(const std::shared_ptr<const ConnectionContext>& context, const std::string& container,
                      const csh::sdk::ListenParams& params, csh::sdk::ListenCompletion done,
                      const std::function<void(std::shared_ptr<ForwardExec>)>& started);

    DockerListener(std::shared_ptr<const ConnectionContext> context, const csh::sdk::ListenParams& params);

    void stop(csh::sdk::StatusCompletion done) override;

private:
    void incoming(uint64_t id, const csh::agent_forward::proto::NewConnectionPayload& from);

    std::shared_ptr<const ConnectionContext> context_;
    csh::sdk::ListenParams params_;
    uint32_t bound_port_ = 0;
    std::shared_ptr<ForwardExec> exec_;
};

}  // namespace backend_docker
