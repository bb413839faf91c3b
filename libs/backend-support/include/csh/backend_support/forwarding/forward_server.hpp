// One guest-agent `forward-server` process in a connection's container or
// pod (docs/design/forwarding.md §1.1, §6): run by the backend without a
// terminal (ForwardSite::new_process), its stdout fed to a ForwardMux, the
// mux's packets written to its stdin with the stream's back-pressure, its
// stderr re-logged. The dial process of a connection is shared by all its
// client-opened channels (ssh -L, -D, -W).
//
// It never outlives the connection (ContainerSSH's #711): stop() ends it at
// once by ending its stdin and dropping its streams (our agent exits at
// stdin EOF; removing the container or pod ends any other) and never waits
// on it.
#pragma once

#include "csh/backend_support/forwarding/forward_site.hpp"

#include <csh/agent_forward/forward_mux.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace csh::backend_support {

class ForwardServer : public std::enable_shared_from_this<ForwardServer> {
public:
    // What a listening process (PORT_FORWARD) reports; a dialing one needs none.
    struct ListenerEvents {
        // SETUP answered: `ok` with the agent's reply (the bound port), or
        // not (the agent could not listen, or never ran).
        std::function<void(bool ok, const csh::agent_forward::proto::SetupReply& reply)> ready;
        // The agent accepted a connection: answer with mux().accept or reject.
        std::function<void(uint64_t id, const csh::agent_forward::proto::NewConnectionPayload& from)> incoming;
    };

    // Starts `agentPath forward-server` and sends `setup`.
    static std::shared_ptr<ForwardServer> start(std::shared_ptr<const ForwardSite> site,
                                                csh::agent_forward::proto::SetupPacket setup,
                                                ListenerEvents listener = {});
    ~ForwardServer();

    // False once the process ended or failed: a new one is needed.
    bool alive() const { return !ended_; }
    csh::agent_forward::ForwardMux& mux() { return mux_; }
    const ForwardSite& site() const { return *site_; }

    // Keeps a channel alive while the mux knows its connection (until it
    // hears refused() or closed(), or its owner closes it): nothing else
    // holds a channel whose open is not answered yet.
    void keep(uint64_t id, std::shared_ptr<csh::agent_forward::MuxChannel> channel);
    void release(uint64_t id);

    // Ends the process now (the connection is closing); channels still
    // known hear refused() or closed().
    void stop(const std::string& reason);

private:
    explicit ForwardServer(std::shared_ptr<const ForwardSite> site);
    csh::agent_forward::ForwardMux::Events mux_events();
    AgentProcess::Events process_events();
    size_t take_output(csh_stream stream, std::string_view data);
    void log_agent_lines(std::string_view data);
    void protocol_broken(const std::string& what);
    void schedule_pump();
    void pump();
    void finish(const std::string& reason);
    void ask_exit_code();
    void log(const char* code, const std::string& message, std::initializer_list<csh::sdk::LogField> fields = {}) const;

    std::shared_ptr<const ForwardSite> site_;
    csh::agent_forward::ForwardMux mux_;
    std::shared_ptr<AgentProcess> process_;
    std::map<uint64_t, std::shared_ptr<csh::agent_forward::MuxChannel>> channels_;
    ListenerEvents listener_;
    // The first bytes of stdout until the agent answered SETUP: when they
    // are not the protocol they are usually the runtime saying why the
    // agent could not run, which the log should show.
    std::string first_output_;
    std::string stderr_line_;
    unsigned stderr_lines_ = 0;
    bool started_ = false;
    bool pump_scheduled_ = false;
    bool stopping_ = false;
    bool ended_ = false;
};

}  // namespace csh::backend_support
