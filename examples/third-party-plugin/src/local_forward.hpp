// One forwarding channel of backend-local: a TCP connection on the
// gateway's own host, either dialled to the target (ssh -L, -D, -W) or
// accepted by a listener (ssh -R, local_listener.hpp), so tests exercise the
// core's forwarding with the real OpenSSH client and no container.
//
// All on the connection's strand through the host's loop: a non-blocking
// connect, then one fd watch reading (while the client's side has room) and
// writing (while the socket had no room for the client's bytes).
#pragma once

#include "local_connection.hpp"
#include "unique_fd.hpp"

#include <containerssh/sdk/forward.hpp>

#include <memory>
#include <optional>
#include <string>

namespace backend_local {

class LocalForward final : public csh::sdk::BackendForward {
public:
    LocalForward(csh::sdk::Host host, const csh::sdk::ForwardParams& params, csh_connection* connection)
        : BackendForward(std::move(host), params), params_(params), connection_(connection) {}

    // Connects to params.target:params.target_port; completes `done` with
    // this channel once connected, or with the cause.
    static void dial(std::shared_ptr<LocalForward> self, csh::sdk::ForwardOpenCompletion done);
    // A connection a listener accepted; relay() once the client took the channel.
    static std::shared_ptr<LocalForward> accepted(csh::sdk::Host host, const csh::sdk::ForwardParams& params,
                                                  csh_connection* connection, UniqueFd socket);
    // Moves bytes between the socket and the channel.
    void relay();
    // Fails a connect still in progress (the connection is closing).
    void cancel_dial(const std::string& why) {
        if (dialing_) fail_dial(why);
    }

    size_t data(std::string_view bytes) override;
    void eof() override;
    void output_ready() override;
    void close() override;

private:
    void fail_dial(const std::string& cause);
    void on_ready(uint32_t ready);
    void read_target();
    void push_held();
    void target_ended();
    void maybe_finish();
    void refresh();

    csh::sdk::ForwardParams params_;
    csh_connection* connection_;
    UniqueFd fd_;
    csh::sdk::FdWatch watch_;
    std::optional<csh::sdk::ForwardOpenCompletion> dialing_;
    std::string held_;            // read from the target, not yet taken by the host
    bool reading_ = true;         // the target has not sent EOF
    bool want_write_ = false;     // the client's bytes wait for socket room
    bool client_eof_ = false;
    bool eof_sent_ = false;
    bool closed_ = false;
};

}  // namespace backend_local
