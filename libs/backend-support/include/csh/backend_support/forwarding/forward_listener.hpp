// A guest-agent forward-server listening in the connection's container or pod,
// each accepted connection brought back to the client: for a remote forward
// (ssh -R) a TCP port in the container's network namespace, each connection
// a forwarded-tcpip channel; for SSH agent forwarding (ssh -A) a unix socket
// named in the session's SSH_AUTH_SOCK, each connection an
// auth-agent@openssh.com channel; for X11 forwarding (ssh -X, -Y) a display
// on 127.0.0.1 named in the session's DISPLAY, each X client's connection
// an x11 channel. Stopping it (the client's cancel, the end
// of the session or connection) stops the listening; connections already
// open run on until they close, then the agent exits.
#pragma once

#include "csh/backend_support/forwarding/forward_server.hpp"

#include <containerssh/sdk/listen.hpp>

#include <memory>

namespace csh::backend_support {

class ForwardListener final : public csh::sdk::BackendListener {
public:
    // Starts the listening agent; `done` hears the bound port or why not.
    // The server is also handed to `started` so the connection can end it.
    static void start(const std::shared_ptr<const ForwardSite>& site,
                      const csh::sdk::ListenParams& params, csh::sdk::ListenCompletion done,
                      const std::function<void(std::shared_ptr<ForwardServer>)>& started);

    ForwardListener(std::shared_ptr<const ForwardSite> site, const csh::sdk::ListenParams& params);

    void stop(csh::sdk::StatusCompletion done) override;

private:
    void incoming(uint64_t id, const csh::agent_forward::proto::NewConnectionPayload& from);
    // What the agent is asked to do, and what the log calls it.
    static csh::agent_forward::proto::SetupPacket setup_for(const csh::sdk::ListenParams& params,
                                                           const std::string& socket_path);
    std::string where() const;

    std::shared_ptr<const ForwardSite> site_;
    csh::sdk::ListenParams params_;
    uint32_t bound_port_ = 0;
    std::string socket_path_;  // ssh -A
    std::string display_;      // ssh -X: the DISPLAY value
    std::shared_ptr<ForwardServer> server_;
};

}  // namespace csh::backend_support
