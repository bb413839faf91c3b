// One remote forward (tcpip-forward: ssh -R) of a connection: the address
// and port the client asked for, the port the backend bound, and the
// backend's listener. The listener host the backend calls open_to_client
// on for each connection it accepts; the channel it asks for is opened by
// the connection (connection_listen.cpp), which names this listener's
// address and bound port as the channel's connected address, so the client
// finds its forward (design/forwarding.md 1.4, defect 3).
#pragma once

#include <containerssh/plugin.h>

#include <cstdint>
#include <string>
#include <utility>

// The ABI's opaque host-side listener handle.
struct csh_listener_host {};

namespace csh::ssh {

class Connection;

// What x11-req asked for.
struct X11Request {
    bool single_connection = false;
    std::string auth_protocol;
    std::string auth_cookie;
    uint32_t screen = 0;
};

class ForwardListener : public csh_listener_host {
public:
    // A remote forward (tcpip-forward).
    ForwardListener(Connection& connection, std::string address, uint32_t requested_port);
    // A listener for session channel `channel_id` (`session` its backend
    // side): its SSH agent (kind AGENT: auth-agent-req, ssh -A) or its X11
    // display (kind X11: x11-req, ssh -X, -Y).
    ForwardListener(Connection& connection, uint64_t channel_id, csh_backend_session* session, csh_forward_kind kind,
                    X11Request x11 = {});
    ForwardListener(const ForwardListener&) = delete;
    ForwardListener& operator=(const ForwardListener&) = delete;

    // As the client sent it ("localhost" for no address, "" for "*").
    const std::string& address() const { return address_; }
    uint32_t requested_port() const { return requested_port_; }
    // The port bound: the one asked for, or the backend's pick for port 0.
    uint32_t bound_port() const { return bound_port_; }
    std::string label() const { return address_ + ":" + std::to_string(bound_port_); }
    const csh_listen_params& params() const { return params_; }
    csh_forward_kind kind() const { return params_.kind; }
    // The session an agent listener serves.
    uint64_t session_channel() const { return session_channel_; }
    // The request it answers, as metrics name it.
    const char* type() const {
        if (kind() == CSH_FORWARD_AGENT) return "auth-agent";
        return kind() == CSH_FORWARD_X11 ? "x11" : "tcpip-forward";
    }

    // The backend listens; open_to_client is accepted from now on.
    void started(csh_backend_listener* backend, uint32_t bound_port);
    bool active() const { return backend_ != nullptr; }
    // The forward a request names: by the port asked for, or (as OpenSSH
    // cancels a port-0 forward) by the port bound. Port 0 names none: each
    // -R 0 is a forward of its own.
    bool named_by(const std::string& address, uint32_t port) const {
        return kind() == CSH_FORWARD_TCPIP && address == address_ && port != 0 &&
               (port == requested_port_ || (active() && port == bound_port_));
    }
    // Ends the listener's life on our side: the backend's handle, for listen_stop.
    csh_backend_listener* take_backend() { return std::exchange(backend_, nullptr); }

private:
    static const csh_listener_host_api& host_api();

    Connection& connection_;
    std::string address_;
    uint32_t requested_port_;
    uint32_t bound_port_;
    uint64_t session_channel_ = 0;
    X11Request x11_;
    csh_backend_listener* backend_ = nullptr;
    csh_listen_params params_{};
};

}  // namespace csh::ssh
