#include "local_connection.hpp"

#include "local_session.hpp"

namespace backend_local {

std::shared_ptr<csh::sdk::BackendSession> LocalConnection::open_session(const csh::sdk::SessionParams& params) {
    return std::make_shared<LocalSession>(host(), params, state_);
}

void LocalConnection::close(csh::sdk::StatusCompletion done) {
    // Answered when the last session's program has been reaped (now, if
    // there is none left).
    state_->close_done.emplace(std::move(done));
    state_.reset();
}

}  // namespace backend_local
