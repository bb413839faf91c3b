// One SSH connection on the Docker backend. In connection mode it owns the
// connection's container (created and started before the first channel,
// running the idle command) and every session execs into it; in session mode
// each session makes its own container and the connection only keeps the
// shared context. Closing removes the container.
#pragma once

#include "connection_context.hpp"

#include <containerssh/sdk/backend.hpp>
#include <csh/backend_support/forwarding/connection_forwarding.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace backend_docker {

class DockerConnection final : public csh::sdk::BackendConnection {
public:
    // Prepares the connection (image, and in connection mode the container
    // and its files); `done` gets the connection or a line for the user.
    static void open(std::shared_ptr<const ConnectionContext> context,
                     std::function<void(std::shared_ptr<DockerConnection>, const std::string& user_error)> done);

    DockerConnection(std::shared_ptr<const ConnectionContext> context, std::string container);

    std::shared_ptr<csh::sdk::BackendSession> open_session(const csh::sdk::SessionParams& params) override;
    // ssh -L, -D, -W: dialled by the guest agent inside the container.
    void open_forward(const csh::sdk::ForwardParams& params, csh::sdk::ForwardOpenCompletion done) override;
    // ssh -R: a guest agent listening in the container.
    void listen(const csh::sdk::ListenParams& params, csh::sdk::ListenCompletion done) override;
    void close(csh::sdk::StatusCompletion done) override;

private:
    std::shared_ptr<const ConnectionContext> context_;
    std::string container_;  // connection mode
    // Through the guest agent's forward-servers; ended when the connection closes.
    csh::backend_support::ConnectionForwarding forwarding_;
};

}  // namespace backend_docker
