// One SSH connection of backend-local: the settings its sessions share.
#pragma once

#include "child_reaper.hpp"
#include "local_config.hpp"

#include <containerssh/sdk/backend.hpp>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace backend_local {

class LocalForward;

// Shared by the connection and each of its sessions. It outlives the
// connection object until the last session is gone (its program reaped); then
// it answers the pending connection_close.
struct ConnectionState {
    ConnectionState(csh::sdk::Host host, LocalConfig config, ChildReaper& reaper, csh_connection* connection,
                    std::vector<std::pair<std::string, std::string>> metadata_environment)
        : host(std::move(host)), config(std::move(config)), reaper(reaper), connection(connection),
          metadata_environment(std::move(metadata_environment)) {}
    ConnectionState(const ConnectionState&) = delete;
    ConnectionState& operator=(const ConnectionState&) = delete;
    ~ConnectionState() {
        if (close_done) close_done->ok();
    }

    csh::sdk::Host host;
    LocalConfig config;
    ChildReaper& reaper;
    csh_connection* connection;  // for log lines
    // CSH_METADATA_ENVIRONMENT items of the connection, set in every program.
    std::vector<std::pair<std::string, std::string>> metadata_environment;
    std::optional<csh::sdk::StatusCompletion> close_done;
    // Forwarding channels still connecting: failed when the connection
    // closes, so nothing of the connection waits on a hanging connect.
    std::vector<std::weak_ptr<LocalForward>> dialing;
};

class LocalConnection final : public csh::sdk::BackendConnection {
public:
    LocalConnection(csh::sdk::Host host, std::shared_ptr<ConnectionState> state)
        : BackendConnection(std::move(host)), state_(std::move(state)) {}

    std::shared_ptr<csh::sdk::BackendSession> open_session(const csh::sdk::SessionParams& params) override;
    // Connects from the gateway's host (local_forward.hpp).
    void open_forward(const csh::sdk::ForwardParams& params, csh::sdk::ForwardOpenCompletion done) override;
    // Listens on the gateway's host (local_listener.hpp).
    void listen(const csh::sdk::ListenParams& params, csh::sdk::ListenCompletion done) override;
    void close(csh::sdk::StatusCompletion done) override;

private:
    std::shared_ptr<ConnectionState> state_;
};

}  // namespace backend_local
