#include "local_connection.hpp"

#include "local_forward.hpp"
#include "local_listener.hpp"
#include "local_session.hpp"

#include <algorithm>
#include <utility>

namespace backend_local {

std::shared_ptr<csh::sdk::BackendSession> LocalConnection::open_session(const csh::sdk::SessionParams& params) {
    return std::make_shared<LocalSession>(host(), params, state_);
}

void LocalConnection::open_forward(const csh::sdk::ForwardParams& params, csh::sdk::ForwardOpenCompletion done) {
    if (params.kind != CSH_FORWARD_TCPIP) {
        done.fail("only TCP forwarding is offered by the local backend");
        return;
    }
    auto forward = std::make_shared<LocalForward>(host(), params, state_->connection);
    auto& dialing = state_->dialing;
    dialing.erase(std::remove_if(dialing.begin(), dialing.end(), [](const auto& f) { return f.expired(); }),
                  dialing.end());
    dialing.push_back(forward);
    LocalForward::dial(std::move(forward), std::move(done));
}

void LocalConnection::listen(const csh::sdk::ListenParams& params, csh::sdk::ListenCompletion done) {
    if (params.kind != CSH_FORWARD_TCPIP) {
        done.fail("only TCP listeners are offered by the local backend");
        return;
    }
    LocalListener::start(std::make_shared<LocalListener>(host(), params, state_->connection), std::move(done));
}

void LocalConnection::close(csh::sdk::StatusCompletion done) {
    for (const auto& weak : std::exchange(state_->dialing, {})) {
        if (auto forward = weak.lock()) forward->cancel_dial("the connection closed while connecting");
    }
    // Answered when the last session's program has been reaped (now, if
    // there is none left).
    state_->close_done.emplace(std::move(done));
    state_.reset();
}

}  // namespace backend_local
