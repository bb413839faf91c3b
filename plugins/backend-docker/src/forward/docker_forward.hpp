// One client-opened forwarding channel (ssh -L, -D, -W) on the Docker
// backend: a connection the guest agent's forward-server dials from inside
// the container, relayed between the SSH channel (BackendForward) and the
// agent's multiplexed stream (a MuxChannel), with flow control both ways.
#pragma once

#include "forward/forward_exec.hpp"

#include <containerssh/sdk/forward.hpp>

#include <memory>
#include <optional>

namespace backend_docker {

class DockerForward final : public csh::sdk::BackendForward {
public:
    // Asks `exec`'s agent to connect to params' target; `done` hears the outcome.
    static void dial(const std::shared_ptr<const ConnectionContext>& context, const std::shared_ptr<ForwardExec>& exec,
                     const csh::sdk::ForwardParams& params, csh::sdk::ForwardOpenCompletion done);

    DockerForward(std::shared_ptr<const ConnectionContext> context, std::shared_ptr<ForwardExec> exec,
                  const csh::sdk::ForwardParams& params, csh::sdk::ForwardOpenCompletion done);

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
        explicit AgentSide(DockerForward& owner) : owner_(owner) {}
        void opened() override;
        void refused(const std::string& reason) override;
        size_t data(std::string_view bytes) override;
        void eof() override;
        void closed(const std::string& reason) override;
        void send_ready() override;

    private:
        DockerForward& owner_;
    };

    void forget();
    void log(const char* code, const std::string& message) const;

    std::shared_ptr<const ConnectionContext> context_;
    std::shared_ptr<ForwardExec> exec_;
    AgentSide agent_side_{*this};
    std::optional<csh::sdk::ForwardOpenCompletion> opening_;
    std::string target_;
    uint64_t channel_id_;
    uint64_t id_ = 0;
    bool known_to_mux_ = false;  // until refused, closed by the agent, or closed here
};

}  // namespace backend_docker
