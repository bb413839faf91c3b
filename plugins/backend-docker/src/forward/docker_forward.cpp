#include "forward/docker_forward.hpp"

#include "messages.hpp"

namespace backend_docker {

namespace af = csh::agent_forward;

void DockerForward::dial(const std::shared_ptr<const ConnectionContext>& context,
                         const std::shared_ptr<ForwardExec>& exec, const csh::sdk::ForwardParams& params,
                         csh::sdk::ForwardOpenCompletion done) {
    auto forward = std::make_shared<DockerForward>(context, exec, params, std::move(done));
    af::proto::NewConnectionPayload target;
    if (params.kind == CSH_FORWARD_STREAMLOCAL) {
        target.protocol = "unix";
        target.connected_address = params.target;
    } else {
        target.protocol = "tcp";
        target.connected_address = params.target;
        target.connected_port = params.target_port;
        target.originator_address = params.originator_address;
        target.originator_port = params.originator_port;
    }
    forward->known_to_mux_ = true;
    const uint64_t id = exec->mux().dial(target, &forward->agent_side_);
    // Nothing else holds the channel until the agent answers. (A mux whose
    // conversation already ended refused it inside dial.)
    if (forward->known_to_mux_) forward->known_as(id);
}

void DockerForward::offer(const std::shared_ptr<const ConnectionContext>& context,
                          const std::shared_ptr<ForwardExec>& exec, uint64_t id, const csh::sdk::ForwardParams& params,
                          csh::sdk::ListenerHost& listener) {
    auto forward = std::make_shared<DockerForward>(context, exec, params, std::nullopt);
    forward->known_to_mux_ = true;
    forward->known_as(id);
    std::weak_ptr<DockerForward> weak = forward;
    listener.open_to_client(params, forward, [weak, id](csh_status status, std::string_view reason) {
        auto self = weak.lock();
        if (!self || !self->known_to_mux_) return;  // the agent's side went meanwhile
        if (status != CSH_OK) {
            self->log(codes::DOCKER_FORWARD_REFUSED, "the client refused the channel: " + std::string(reason));
            self->exec_->mux().reject(id);
            self->forget();
            return;
        }
        if (!self->exec_->alive()) {
            // The agent ended while the client was asked: nothing behind the channel.
            self->forget();
            self->forward_host().closed();
            return;
        }
        self->exec_->mux().accept(id, &self->agent_side_);
    });
}

DockerForward::DockerForward(std::shared_ptr<const ConnectionContext> context, std::shared_ptr<ForwardExec> exec,
                             const csh::sdk::ForwardParams& params,
                             std::optional<csh::sdk::ForwardOpenCompletion> done)
    : BackendForward(context->host, params),
      context_(std::move(context)),
      exec_(std::move(exec)),
      opening_(std::move(done)),
      target_(params.kind == CSH_FORWARD_STREAMLOCAL ? params.target
                                                     : params.target + ":" + std::to_string(params.target_port)),
      channel_id_(params.channel_id) {}

void DockerForward::log(const char* code, const std::string& message) const {
    context_->host.log(code, message, {{"channelId", std::to_string(channel_id_)}, {"target", target_}},
                       context_->connection);
}

void DockerForward::known_as(uint64_t id) {
    id_ = id;
    exec_->keep(id, std::shared_ptr<af::MuxChannel>(self<DockerForward>(), &agent_side_));
}

// The mux no longer knows the connection: the exec's hold goes (this object
// lives on while the host or the caller holds it).
void DockerForward::forget() {
    if (!std::exchange(known_to_mux_, false)) return;
    exec_->release(id_);
}

// ---- from the client ---------------------------------------------------------

size_t DockerForward::data(std::string_view bytes) {
    if (!known_to_mux_) return bytes.size();  // the agent's side is gone
    return exec_->mux().send(id_, bytes);
}

void DockerForward::eof() {
    if (known_to_mux_) exec_->mux().send_eof(id_);
}

void DockerForward::output_ready() {
    if (known_to_mux_) exec_->mux().resume(id_);
}

void DockerForward::close() {
    if (!known_to_mux_) return;
    exec_->mux().close(id_);
    forget();
}

// ---- from the agent ----------------------------------------------------------

void DockerForward::AgentSide::opened() {
    auto& owner = owner_;
    if (!owner.opening_) return;
    auto done = std::move(*owner.opening_);
    owner.opening_.reset();
    owner.log(codes::DOCKER_FORWARD_CONNECTED, "the guest agent connected to the target");
    done.success(owner.self<DockerForward>());
}

void DockerForward::AgentSide::refused(const std::string& reason) {
    auto keep = owner_.self<DockerForward>();  // forget() may drop the last hold
    owner_.forget();
    if (!owner_.opening_) return;
    auto done = std::move(*owner_.opening_);
    owner_.opening_.reset();
    owner_.log(codes::DOCKER_FORWARD_REFUSED, "the guest agent could not connect to the target: " + reason);
    done.fail("the target could not be reached from the container: " + reason);
}

size_t DockerForward::AgentSide::data(std::string_view bytes) { return owner_.forward_host().write(bytes); }

void DockerForward::AgentSide::eof() { owner_.forward_host().eof(); }

void DockerForward::AgentSide::closed(const std::string&) {
    auto keep = owner_.self<DockerForward>();
    owner_.forget();
    // The host closes the SSH channel, then calls close() (a no-op now).
    owner_.forward_host().closed();
}

void DockerForward::AgentSide::send_ready() { owner_.forward_host().data_ready(); }

}  // namespace backend_docker
