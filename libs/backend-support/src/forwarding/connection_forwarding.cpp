#include "csh/backend_support/forwarding/connection_forwarding.hpp"

#include "csh/backend_support/forwarding/forward_channel.hpp"
#include "csh/backend_support/forwarding/forward_listener.hpp"

#include <algorithm>

namespace csh::backend_support {

ConnectionForwarding::ConnectionForwarding(std::shared_ptr<const ForwardSite> site, std::string refusal)
    : site_(std::move(site)), refusal_(std::move(refusal)) {}

void ConnectionForwarding::open_forward(const csh::sdk::ForwardParams& params, csh::sdk::ForwardOpenCompletion done) {
    if (!refusal_.empty()) {
        site_->log(site_->codes->not_available, refusal_, {{"channelId", std::to_string(params.channel_id)}});
        done.fail(refusal_);
        return;
    }
    if (!dial_server_ || !dial_server_->alive()) {
        csh::agent_forward::proto::SetupPacket setup;
        setup.connection_type = csh::agent_forward::proto::kPortDial;
        dial_server_ = ForwardServer::start(site_, std::move(setup));
    }
    ForwardChannel::dial(dial_server_, params, std::move(done));
}

void ConnectionForwarding::listen(const csh::sdk::ListenParams& params, csh::sdk::ListenCompletion done) {
    if (!refusal_.empty()) {
        site_->log(site_->codes->not_available, refusal_, {{"address", params.address}});
        done.fail(refusal_);
        return;
    }
    if (params.kind == CSH_FORWARD_STREAMLOCAL) {
        done.fail("this kind of forwarding is not supported by the " + site_->backend + " backend yet");
        return;
    }
    // Ended listeners (cancelled, their connections closed) leave the list here.
    listen_servers_.erase(std::remove_if(listen_servers_.begin(), listen_servers_.end(),
                                         [](const std::shared_ptr<ForwardServer>& server) { return !server->alive(); }),
                          listen_servers_.end());
    ForwardListener::start(site_, params, std::move(done),
                           [this](std::shared_ptr<ForwardServer> server) { listen_servers_.push_back(std::move(server)); });
}

void ConnectionForwarding::stop() {
    if (dial_server_) std::exchange(dial_server_, nullptr)->stop("the connection closed");
    for (auto& server : std::exchange(listen_servers_, {})) server->stop("the connection closed");
}

}  // namespace csh::backend_support
