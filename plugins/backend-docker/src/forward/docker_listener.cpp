#include "forward/docker_listener.hpp"

#include "forward/docker_forward.hpp"
#include "messages.hpp"

namespace backend_docker {

namespace af = csh::agent_forward;

DockerListener::DockerListener(std::shared_ptr<const ConnectionContext> context, const csh::sdk::ListenParams& params)
    : BackendListener(context->host, params), context_(std::move(context)), params_(params) {}

void DockerListener::start(const std::shared_ptr<const ConnectionContext>& context, const std::string& container,
                           const csh::sdk::ListenParams& params, csh::sdk::ListenCompletion done,
                           const std::function<void(std::shared_ptr<ForwardExec>)>& started) {
    auto listener = std::make_shared<DockerListener>(context, params);
    auto reply = std::make_shared<csh::sdk::ListenCompletion>(std::move(done));
    af::proto::SetupPacket setup;
    setup.connection_type = af::proto::kPortForward;
    setup.protocol = "tcp";
    setup.bind_host = params.address;
    setup.bind_port = params.port;
    ForwardExec::ListenerEvents events;
    // The exec holds the listener until it answers; the host holds it after.
    events.ready = [listener, reply](bool ok, const af::proto::SetupReply& answer) {
        const bool knows_port = listener->params_.port != 0 || answer.bind_port != 0;
        if (!ok || !knows_port) {
            const std::string why = !ok ? "the guest agent could not listen there"
                                        : "the guest agent cannot report the port it chose (ContainerSSH's agent)";
            listener->context_->log(codes::DOCKER_FORWARD_LISTEN_FAILED, why,
                                    {{"address", listener->params_.address},
                                     {"port", std::to_string(listener->params_.port)}});
            if (ok && listener->exec_) listener->exec_->stop(why);
            return reply->fail(why);
        }
        listener->bound_port_ = answer.bind_port != 0 ? static_cast<uint32_t>(answer.bind_port) : listener->params_.port;
        listener->context_->log(codes::DOCKER_FORWARD_LISTENING, "the guest agent listens in the container",
                                {{"address", listener->params_.address},
                                 {"port", std::to_string(listener->bound_port_)}});
        reply->success(listener, listener->bound_port_);
    };
    std::weak_ptr<DockerListener> weak = listener;
    events.incoming = [weak](uint64_t id, const af::proto::NewConnectionPayload& from) {
        if (auto self = weak.lock()) {
            self->incoming(id, from);
        }
    };
    listener->exec_ = ForwardExec::start(context, container, std::move(setup), std::move(events));
    started(listener->exec_);
}

void DockerListener::incoming(uint64_t id, const af::proto::NewConnectionPayload& from) {
    if (!held_by_host()) return exec_->mux().reject(id);  // stopped
    csh::sdk::ForwardParams params;
    params.kind = CSH_FORWARD_TCPIP;
    params.target = params_.address;
    params.target_port = bound_port_;
    params.originator_address = from.originator_address;
    params.originator_port = static_cast<uint32_t>(from.originator_port);
    params.strand = params_.strand;
    DockerForward::offer(context_, exec_, id, params, listener_host());
}

void DockerListener::stop(csh::sdk::StatusCompletion done) {
    // The agent stops listening and exits once its open connections closed;
    // the connection's end stops it for good.
    if (exec_) exec_->mux().no_more();
    context_->log(codes::DOCKER_FORWARD_LISTEN_STOPPED, "the guest agent stopped listening",
                  {{"address", params_.address}, {"port", std::to_string(bound_port_)}});
    done.ok();
}

}  // namespace backend_docker
