#include "csh/backend_support/forwarding/forward_listener.hpp"

#include "csh/backend_support/forwarding/forward_channel.hpp"
#include "csh/backend_support/forwarding/forwarding_environment.hpp"

#include <containerssh/sdk/backend.hpp>

#include <random>

namespace csh::backend_support {

namespace af = csh::agent_forward;

namespace {

// A fresh path in /tmp for an agent socket: it must not exist yet (the
// agent refuses to replace a file) and needs no directory of its own, so
// ContainerSSH's agent can serve it too.
std::string agent_socket_path() {
    static const char* hex = "0123456789abcdef";
    std::random_device random;
    std::string path = "/tmp/containerssh-agent-";
    for (int i = 0; i < 16; ++i) path.push_back(hex[random() % 16]);
    return path + ".sock";
}

}  // namespace

ForwardListener::ForwardListener(std::shared_ptr<const ForwardSite> site, const csh::sdk::ListenParams& params)
    : BackendListener(site->host, params), site_(std::move(site)), params_(params) {}

af::proto::SetupPacket ForwardListener::setup_for(const csh::sdk::ListenParams& params, const std::string& socket_path) {
    af::proto::SetupPacket setup;
    setup.connection_type = af::proto::kPortForward;
    if (params.kind == CSH_FORWARD_X11) {
        setup.connection_type = af::proto::kX11;
        setup.protocol = "tcp";
        setup.screen = std::to_string(params.x11_screen);
        setup.single_connection = params.single_connection;
        setup.auth_protocol = params.x11_auth_protocol;
        setup.auth_cookie = params.x11_auth_cookie;
    } else if (params.kind == CSH_FORWARD_AGENT) {
        setup.protocol = "unix";
        setup.bind_host = socket_path;
    } else {
        setup.protocol = "tcp";
        setup.bind_host = params.address;
        setup.bind_port = params.port;
    }
    return setup;
}

std::string ForwardListener::where() const {
    if (params_.kind == CSH_FORWARD_AGENT) return socket_path_;
    if (params_.kind == CSH_FORWARD_X11) return display_;
    return params_.address + ":" + std::to_string(bound_port_ != 0 ? bound_port_ : params_.port);
}

void ForwardListener::start(const std::shared_ptr<const ForwardSite>& site,
                           const csh::sdk::ListenParams& params, csh::sdk::ListenCompletion done,
                           const std::function<void(std::shared_ptr<ForwardServer>)>& started) {
    auto listener = std::make_shared<ForwardListener>(site, params);
    auto* session = dynamic_cast<ForwardingEnvironment*>(csh::sdk::session_of(params));
    if (params.kind != CSH_FORWARD_TCPIP && session == nullptr) return done.fail("a session's forwarding without its session");
    if (params.kind == CSH_FORWARD_AGENT) listener->socket_path_ = agent_socket_path();
    auto reply = std::make_shared<csh::sdk::ListenCompletion>(std::move(done));
    ForwardServer::ListenerEvents events;
    // The server holds the listener until it answers; the host holds it after.
    // The session outlives the answer: its program waits for it.
    events.ready = [listener, reply, session](bool ok, const af::proto::SetupReply& answer) {
        const csh::sdk::ListenParams& asked = listener->params_;
        const bool knows_port = asked.kind != CSH_FORWARD_TCPIP || asked.port != 0 || answer.bind_port != 0;
        if (!ok || !knows_port) {
            const std::string why = !ok ? "the guest agent could not listen there"
                                        : "the guest agent cannot report the port it chose (ContainerSSH's agent)";
            listener->site_->log(listener->site_->codes->listen_failed, why, {{"listener", listener->where()}});
            if (ok && listener->server_) listener->server_->stop(why);
            return reply->fail(why);
        }
        if (asked.kind == CSH_FORWARD_TCPIP) {
            listener->bound_port_ = answer.bind_port != 0 ? static_cast<uint32_t>(answer.bind_port) : asked.port;
        } else if (asked.kind == CSH_FORWARD_X11) {
            // ContainerSSH's agent reports no display: it always takes 10.
            const uint64_t display = answer.display != 0 ? answer.display : 10;
            listener->display_ = "localhost:" + std::to_string(display) + "." + std::to_string(asked.x11_screen);
            session->add_forwarding_environment("DISPLAY", listener->display_);
        } else {
            session->add_forwarding_environment("SSH_AUTH_SOCK", listener->socket_path_);
        }
        listener->site_->log(listener->site_->codes->listening, "the guest agent listens in the container",
                                {{"listener", listener->where()}});
        reply->success(listener, listener->bound_port_);
    };
    std::weak_ptr<ForwardListener> weak = listener;
    events.incoming = [weak](uint64_t id, const af::proto::NewConnectionPayload& from) {
        if (auto self = weak.lock()) self->incoming(id, from);
    };
    listener->server_ =
        ForwardServer::start(site, setup_for(params, listener->socket_path_), std::move(events));
    started(listener->server_);
}

void ForwardListener::incoming(uint64_t id, const af::proto::NewConnectionPayload& from) {
    if (!held_by_host()) return server_->mux().reject(id);  // stopped
    csh::sdk::ForwardParams params;
    params.kind = params_.kind;
    params.target = params_.kind == CSH_FORWARD_TCPIP ? params_.address : where();
    params.target_port = bound_port_;
    params.originator_address = from.originator_address;
    params.originator_port = static_cast<uint32_t>(from.originator_port);
    params.strand = params_.strand;
    ForwardChannel::offer(server_, id, params, listener_host());
}

void ForwardListener::stop(csh::sdk::StatusCompletion done) {
    // The agent stops listening (and removes a socket file) and exits once
    // its open connections closed; the connection's end stops it for good.
    if (server_) server_->mux().no_more();
    site_->log(site_->codes->listen_stopped, "the guest agent stopped listening", {{"listener", where()}});
    done.ok();
}

}  // namespace csh::backend_support
