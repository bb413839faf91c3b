// One listener of backend-local (ssh -R): a non-blocking TCP socket on the
// gateway's own host, watched through the host's loop. Each connection it
// accepts is offered to the client (open_to_client) and, once the client
// took the channel, relayed by a LocalForward like a dialled one.
#pragma once

#include "unique_fd.hpp"

#include <containerssh/sdk/listen.hpp>

#include <memory>

namespace backend_local {

class LocalListener final : public csh::sdk::BackendListener {
public:
    LocalListener(csh::sdk::Host host, const csh::sdk::ListenParams& params, csh_connection* connection)
        : BackendListener(std::move(host), params), params_(params), connection_(connection) {}

    // Binds params.address:params.port (port 0: the kernel picks one) and
    // completes `done` with the port bound, or with the cause.
    static void start(std::shared_ptr<LocalListener> self, csh::sdk::ListenCompletion done);
    void stop(csh::sdk::StatusCompletion done) override;

private:
    void accept_all();
    void offer(UniqueFd socket);

    csh::sdk::ListenParams params_;
    csh_connection* connection_;
    UniqueFd fd_;
    csh::sdk::FdWatch watch_;
};

}  // namespace backend_local
