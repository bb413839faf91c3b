// One SSH session channel on the Docker backend. The SDK's ProgramSession
// collects env and pty-req and keeps the session's rules; start() runs the program:
// in connection mode as an exec in the connection's container (behind the
// agent's `console --pid` so signals can reach it), in session mode as the
// command of a container of its own. The program's streams are relayed with
// back-pressure; its end becomes exit-status (or exit-signal for a signal we
// delivered).
#pragma once

#include "connection_context.hpp"
#include "engine/attached_stream.hpp"

#include <containerssh/sdk/program_session.hpp>
#include <csh/backend_support/agent_pid_reader.hpp>
#include <csh/backend_support/forwarding/forwarding_environment.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace backend_docker {

// The session's forwarding (ssh -A, X11) adds variables for the program not
// started yet through ForwardingEnvironment.
class DockerSession final : public csh::sdk::ProgramSession, public csh::backend_support::ForwardingEnvironment {
public:
    // `container` is the connection's container (connection mode), "" in
    // session mode.
    DockerSession(std::shared_ptr<const ConnectionContext> context, const csh::sdk::SessionParams& params,
                  std::string container);
    ~DockerSession() override;

private:
    bool offers(const csh::sdk::Program& program) const override;
    void start(const csh::sdk::Program& program, csh::sdk::StartCompletion done) override;
    size_t write_input(std::string_view data) override;
    void close_input() override;
    void resume_output() override;
    void resize(const csh::sdk::WindowSize& size, csh::sdk::StatusCompletion done) override;
    void deliver_signal(std::string_view name, csh::sdk::StatusCompletion done) override;
    void stop(Phase before) override;
    void refused_after_start(std::string_view request) const override;

    using Reply = std::shared_ptr<csh::sdk::StartCompletion>;

    bool awaits_terminal_size() const;
    std::vector<std::string> program_environment() const;
    void start_exec(std::vector<std::string> program, Reply reply);
    void start_session_container(std::vector<std::string> program, Reply reply);
    void attach(csh::loop_http::HttpResponse response);
    size_t take_output(csh_stream stream, std::string_view data);
    void resize_terminal(uint32_t rows, uint32_t columns, std::function<void(bool ok)> done);
    void program_ended(const std::string& stream_error);
    void ask_exit_code();
    void ask_exit_code_again();
    void report_exit(int64_t exit_code);
    void remove_own_container();
    void log(const char* code, const std::string& message, std::initializer_list<csh::sdk::LogField> fields = {}) const;

    std::shared_ptr<const ConnectionContext> context_;
    std::string channel_label_;
    bool session_mode_;
    std::string container_;      // where the program runs
    std::string exec_id_;        // connection mode
    std::shared_ptr<AttachedStream> stream_;
    // The agent's 4-byte PID prefix of stdout (connection mode with agent).
    bool expect_pid_ = false;
    csh::backend_support::AgentPidReader pid_reader_;
    uint32_t pid_ = 0;
    std::string delivered_signal_;  // the last signal we delivered
    int exit_code_polls_ = 0;
};

}  // namespace backend_docker
