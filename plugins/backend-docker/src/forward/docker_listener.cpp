#include "forward/docker_listener.hpp"

#include "docker_session.hpp"
#include "forward/docker_forward.hpp"
#include "messages.hpp"

#include <random>

namespace backend_docker {

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

DockerListener::DockerListener(std::shared_ptr<const ConnectionContext> context, const csh::sdk::ListenParams& params)
    : BackendListener(context->host, params), context_(std::move(context)), params_(params) {}

af::proto::SetupPacket DockerListener::setup_for(const csh::sdk::ListenParams& params, const std::string& socket_path) {
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

std::string DockerListener::where() const {
    if (params_.kind == CSH_FORWARD_AGENT) return socket_path_;
    if (params_.kind == CSH_FORWARD_X11) return display_;
    return params_.address + ":" + std::to_string(bound_port_ != 0 ? bound_port_ : params_.port);
}

void DockerListener::start(const std::shared_ptr<const ConnectionContext>& context, const std::string& container,
                           const csh::sdk::ListenParams& params, csh::sdk::ListenCompletion done,
                           const std::function<void(std::shared_ptr<ForwardExec>)>& started) {
    auto listener = std::make_shared<DockerListener>(context, params);
    auto* session = dynamic_cast<DockerSession*>(csh::sdk::session_of(params));
    if (params.kind != CSH_FORWARD_TCPIP && session == nullptr) return done.fail("a session's forwarding without its session");
    if (params.kind == CSH_FORWARD_AGENT) listener->socket_path_ = agent_socket_path();
    auto reply = std::make_shared<csh::sdk::ListenCompletion>(std::move(done));
    ForwardExec::ListenerEvents events;
    // The exec holds the listener until it answers; the host holds it after.
    // The session outlives the answer: its program waits for it.
    events.ready = [listener, reply, session](bool ok, const af::proto::SetupReply& answer) {
        const csh::sdk::ListenParams& asked = listener->params_;
        const bool knows_port = asked.kind != CSH_FORWARD_TCPIP || asked.port != 0 || answer.bind_port != 0;
        if (!ok || !knows_port) {
            const std::string why = !ok ? "the guest agent could not listen there"
                                        : "the guest agent cannot report the port it chose (ContainerSSH's agent)";
            listener->context_->log(codes::DOCKER_FORWARD_LISTEN_FAILED, why, {{"listener", listener->where()}});
            if (ok && listener->exec_) listener->exec_->stop(why);
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
        listener->context_->log(codes::DOCKER_FORWARD_LISTENING, "the guest agent listens in the container",
                                {{"listener", listener->where()}});
        reply->success(listener, listener->bound_port_);
    };
    std::weak_ptr<DockerListener> weak = listener;
    events.incoming = [weak](uint64_t id, const af::proto::NewConnectionPayload& from) {
        if (auto self = weak.lock()) self->incoming(id, from);
    };
    listener->exec_ =
        ForwardExec::start(context, container, setup_for(params, listener->socket_path_), std::move(events));
    started(listener->exec_);
}

void DockerListener::incoming(uint64_t id, const af::proto::NewConnectionPayload& from) {
    if (!held_by_host()) return exec_->mux().reject(id);  // stopped
    csh::sdk::ForwardParams params;
    params.kind = params_.kind;
    params.target = params_.kind == CSH_FORWARD_TCPIP ? params_.address : where();
    params.target_port = bound_port_;
    params.originator_address = from.originator_address;
    params.originator_port = static_cast<uint32_t>(from.originator_port);
    params.strand = params_.strand;
    DockerForward::offer(context_, exec_, id, params, listener_host());
}

void DockerListener::stop(csh::sdk::StatusCompletion done) {
    // The agent stops listening (and removes a socket file) and exits once
    // its open connections closed; the connection's end stops it for good.
    if (exec_) exec_->mux().no_more();
    context_->log(codes::DOCKER_FORWARD_LISTEN_STOPPED, "the guest agent stopped listening", {{"listener", where()}});
    done.ok();
}

}  // namespace backend_docker
