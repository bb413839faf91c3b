// One SSH connection on the Kubernetes backend. In connection mode it owns
// the connection's pod (created and running the idle command before the
// first channel) and every session execs into it; in persistent mode the
// pod is the user's, found again (or created with createMissingPods) and
// never deleted; in session mode each session makes its own pod. Forwarding
// runs the guest agent's forward-server in the connection's pod (not in
// session mode). Closing ends those and deletes the connection's pod.
#pragma once

#include "connection_context.hpp"
#include "pod_lifecycle.hpp"

#include <containerssh/sdk/backend.hpp>
#include <csh/backend_support/forwarding/connection_forwarding.hpp>

#include <functional>
#include <memory>
#include <string>

namespace backend_kubernetes {

class KubernetesConnection final : public csh::sdk::BackendConnection {
public:
    // Prepares the connection (the pod and its files, except in session
    // mode); `done` gets the connection or a line for the user.
    static void open(std::shared_ptr<const ConnectionContext> context,
                     std::function<void(std::shared_ptr<KubernetesConnection>, const std::string& user_error)> done);

    KubernetesConnection(std::shared_ptr<const ConnectionContext> context, PodRef pod);

    std::shared_ptr<csh::sdk::BackendSession> open_session(const csh::sdk::SessionParams& params) override;
    // ssh -L, -D, -W: dialled by the guest agent inside the pod.
    void open_forward(const csh::sdk::ForwardParams& params, csh::sdk::ForwardOpenCompletion done) override;
    // ssh -R, -A, X11: a guest agent listening in the pod.
    void listen(const csh::sdk::ListenParams& params, csh::sdk::ListenCompletion done) override;
    void close(csh::sdk::StatusCompletion done) override;

private:
    std::shared_ptr<const ConnectionContext> context_;
    PodRef pod_;
    // Through the guest agent's forward-servers; ended when the connection closes.
    csh::backend_support::ConnectionForwarding forwarding_;
};

}  // namespace backend_kubernetes
