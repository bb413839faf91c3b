// The forwarding of one SSH connection through guest agents in its container
// or pod, as a backend's BackendConnection offers it: one dialing
// forward-server shared by every client-opened channel (ssh -L, -D, -W),
// started on the first and again after it ended, and one listening
// forward-server per ssh -R, ssh -A or X11 request. stop() ends them all
// when the connection closes, without waiting for any (ContainerSSH's #711:
// a waited-for agent kept the container alive).
#pragma once

#include "csh/backend_support/forwarding/forward_server.hpp"

#include <containerssh/sdk/forward.hpp>
#include <containerssh/sdk/listen.hpp>

#include <memory>
#include <string>
#include <vector>

namespace csh::backend_support {

class ConnectionForwarding {
public:
    // `refusal`: why this connection cannot forward (session mode, no
    // agent), or empty; every request is refused with it then.
    ConnectionForwarding(std::shared_ptr<const ForwardSite> site, std::string refusal);

    void open_forward(const csh::sdk::ForwardParams& params, csh::sdk::ForwardOpenCompletion done);
    void listen(const csh::sdk::ListenParams& params, csh::sdk::ListenCompletion done);
    // The connection is closing: every forward-server ends now.
    void stop();

private:
    std::shared_ptr<const ForwardSite> site_;
    std::string refusal_;
    std::shared_ptr<ForwardServer> dial_server_;
    // The listening forward-servers; ended with the connection.
    std::vector<std::shared_ptr<ForwardServer>> listen_servers_;
};

}  // namespace csh::backend_support
