#include "csh/backend_support/forwarding/forward_channel.hpp"

namespace csh::backend_support {

namespace af = csh::agent_forward;

void ForwardChannel::dial(const std::shared_ptr<ForwardServer>& server, const csh::sdk::ForwardParams& params,
                          csh::sdk::ForwardOpenCompletion done) {
    auto forward = std::make_shared<ForwardChannel>(server, params, std::move(done));
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
    const uint64_t id = server->mux().dial(target, &forward->agent_side_);
    // Nothing else holds the channel until the agent answers. (A mux whose
    // conversation already ended refused it inside dial.)
    if (forward->known_to_mux_) forward->known_as(id);
}

void ForwardChannel::offer(const std::shared_ptr<ForwardServer>& server, uint64_t id,
                           const csh::sdk::ForwardParams& params, csh::sdk::ListenerHost& listener) {
    auto forward = std::make_shared<ForwardChannel>(server, params, std::nullopt);
    forward->known_to_mux_ = true;
    forward->known_as(id);
    std::weak_ptr<ForwardChannel> weak = forward;
    listener.open_to_client(params, forward, [weak, id](csh_status status, std::string_view reason) {
        auto self = weak.lock();
        if (!self || !self->known_to_mux_) return;  // the agent's side went meanwhile
        if (status != CSH_OK) {
            self->log(self->server_->site().codes->refused, "the client refused the channel: " + std::string(reason));
            self->server_->mux().reject(id);
            self->forget();
            return;
        }
        if (!self->server_->alive()) {
            // The agent ended while the client was asked: nothing behind the channel.
            self->forget();
            self->forward_host().closed();
            return;
        }
        self->server_->mux().accept(id, &self->agent_side_);
    });
}

ForwardChannel::ForwardChannel(std::shared_ptr<ForwardServer> server, const csh::sdk::ForwardParams& params,
                               std::optional<csh::sdk::ForwardOpenCompletion> done)
    : BackendForward(server->site().host, params),
      server_(std::move(server)),
      opening_(std::move(done)),
      target_(params.kind == CSH_FORWARD_STREAMLOCAL ? params.target
                                                     : params.target + ":" + std::to_string(params.target_port)),
      channel_id_(params.channel_id) {}

void ForwardChannel::log(const char* code, const std::string& message) const {
    server_->site().log(code, message, {{"channelId", std::to_string(channel_id_)}, {"target", target_}});
}

void ForwardChannel::known_as(uint64_t id) {
    id_ = id;
    server_->keep(id, std::shared_ptr<af::MuxChannel>(self<ForwardChannel>(), &agent_side_));
}

// The mux no longer knows the connection: the exec's hold goes (this object
// lives on while the host or the caller holds it).
void ForwardChannel::forget() {
    if (!std::exchange(known_to_mux_, false)) return;
    server_->release(id_);
}

// ---- from the client ---------------------------------------------------------

size_t ForwardChannel::data(std::string_view bytes) {
    if (!known_to_mux_) return bytes.size();  // the agent's side is gone
    return server_->mux().send(id_, bytes);
}

void ForwardChannel::eof() {
    if (known_to_mux_) server_->mux().send_eof(id_);
}

void ForwardChannel::output_ready() {
    if (known_to_mux_) server_->mux().resume(id_);
}

void ForwardChannel::close() {
    if (!known_to_mux_) return;
    server_->mux().close(id_);
    forget();
}

// ---- from the agent ----------------------------------------------------------

void ForwardChannel::AgentSide::opened() {
    auto& owner = owner_;
    if (!owner.opening_) return;
    auto done = std::move(*owner.opening_);
    owner.opening_.reset();
    owner.log(owner.server_->site().codes->connected, "the guest agent connected to the target");
    done.success(owner.self<ForwardChannel>());
}

void ForwardChannel::AgentSide::refused(const std::string& reason) {
    auto keep = owner_.self<ForwardChannel>();  // forget() may drop the last hold
    owner_.forget();
    if (!owner_.opening_) return;
    auto done = std::move(*owner_.opening_);
    owner_.opening_.reset();
    owner_.log(owner_.server_->site().codes->refused, "the guest agent could not connect to the target: " + reason);
    done.fail("the target could not be reached from the container: " + reason);
}

size_t ForwardChannel::AgentSide::data(std::string_view bytes) { return owner_.forward_host().write(bytes); }

void ForwardChannel::AgentSide::eof() { owner_.forward_host().eof(); }

void ForwardChannel::AgentSide::closed(const std::string&) {
    auto keep = owner_.self<ForwardChannel>();
    owner_.forget();
    // The host closes the SSH channel, then calls close() (a no-op now).
    owner_.forward_host().closed();
}

void ForwardChannel::AgentSide::send_ready() { owner_.forward_host().data_ready(); }

}  // namespace csh::backend_support
