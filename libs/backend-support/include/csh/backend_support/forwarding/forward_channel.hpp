// One forwarding channel through a guest agent, relayed between the SSH
// channel (BackendForward) and the guest agent's multiplexed stream (a
// MuxChannel), with flow control both ways: either client-opened (ssh -L,
// -D, -W: the agent dials from inside the container) or server-opened (ssh
// -R: the agent of a listener accepted a connection in the container).
#pragma once

#include "csh/backend_support/forwarding/forward_server.hpp"

#include <containerssh/sdk/forward.hpp>
#include <containerssh/sdk/listen.hpp>

#include <memory>
#include <optional>

namespace csh::backend_support {

class ForwardChannel final : public csh::sdk::BackendForward {
public:
    // Asks `server`'s agent to connect to params' target; `done` hears the outcome.
    static void dial(const std::shared_ptr<ForwardServer>& server, const csh::sdk::ForwardParams& params,
                     csh::sdk::ForwardOpenCompletion done);

    // Brings connection `id`, which `server`'s listening agent accepted, to
    // the client through `listener`; the agent hears SUCCESS once the client
    // accepted the channel, ERROR when it refused.
    static void offer(const std::shared_ptr<ForwardServer>& server, uint64_t id, const csh::sdk::ForwardParams& params,
                      csh::sdk::ListenerHost& listener);

    ForwardChannel(std::shared_ptr<ForwardServer> server, const csh::sdk::ForwardParams& params,
                   std::optional<csh::sdk::ForwardOpenCompletion> done);

    // From the client (BackendForward).
    size_t data(std::string_view bytes) override;
    void eof() override;
    void output_ready() override;
    void close() override;

private:
    // The agent's side of the channel: MuxChannel's data() and eof() would
    // clash with BackendForward's, so it is a member of its own.
    class AgentSide final : public csh::agent_forward::MuxChannel {
    public:
        explicit AgentSide(ForwardChannel& owner) : owner_(owner) {}
        void opened() override;
        void refused(const std::string& reason) override;
        size_t data(std::string_view bytes) override;
        void eof() override;
        void closed(const std::string& reason) override;
        void send_ready() override;

    private:
        ForwardChannel& owner_;
    };

    // The server holds the channel while the mux knows connection `id`.
    void known_as(uint64_t id);
    void forget();
    void log(const char* code, const std::string& message) const;

    std::shared_ptr<ForwardServer> server_;
    AgentSide agent_side_{*this};
    std::optional<csh::sdk::ForwardOpenCompletion> opening_;
    std::string target_;
    uint64_t channel_id_;
    uint64_t id_ = 0;
    bool known_to_mux_ = false;  // until refused, closed by the agent, or closed here
};

}  // namespace csh::backend_support
