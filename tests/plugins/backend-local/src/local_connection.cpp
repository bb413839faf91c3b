#include "local_connection.hpp"

#include "local_forward.hpp"
#include "local_session.hpp"

namespace backend_local {

std::shared_ptr<csh::sdk::BackendSession> LocalConnection::open_session(const csh::sdk::SessionParams& params) {
    return std::make_shared<LocalSession>(host(), params, state_);
}

void LocalConnection::open_forward(const csh::sdk::ForwardParams& params, csh::sdk::ForwardOpenCompletion done) {
    if (params.kind != CSH_FORWARD_TCPIP) {
        done.fail("only TCP forwarding is offered by the local backend");
        return;
    }
    LocalForward::dial(std::make_shared<LocalForward>(host(), params, state_->connection), std::move(done));
}

void LocalConnection::close(csh::sdk::StatusCompletion done) {
    // Answered when the last session's program has been reaped (now, if
    // there is none left).
    state_->close_done.emplace(std::move(done));
    state_.reset();
}

}  // namespace backend_local
