// One SSH session channel on the Kubernetes backend. The SDK's
// ProgramSession collects env and pty-req and keeps the session's rules;
// start() runs the program: in connection and persistent mode as an exec in
// the connection's pod, behind the agent's `console --pid` (Kubernetes'
// exec cannot set environment variables, so they travel as `--env`); in
// session mode as the console container of a pod of its own, attached, with
// the agent holding the program back (`--wait`) until the attach is in place
// so no output is lost. The streams run over WebSocket with back-pressure;
// the program's end becomes exit-status (or exit-signal for a signal we
// delivered).
#pragma once

#include "api/exec_stream.hpp"
#include "connection_context.hpp"
#include "pod_lifecycle.hpp"

#include <containerssh/sdk/program_session.hpp>
#include <csh/backend_support/agent_pid_reader.hpp>
#include <csh/backend_support/forwarding/forwarding_environment.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace backend_kubernetes {

using api::ExecEnd;
using api::ExecRequest;
using api::ExecStream;

// The session's forwarding (ssh -A, X11) adds variables for the program not
// started yet through ForwardingEnvironment.
class KubernetesSession final : public csh::sdk::ProgramSession,
                                public csh::backend_support::ForwardingEnvironment {
public:
    // `pod` is the connection's pod (connection and persistent mode); empty
    // in session mode.
    KubernetesSession(std::shared_ptr<const ConnectionContext> context, const csh::sdk::SessionParams& params,
                      PodRef pod);
    ~KubernetesSession() override;

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

    bool session_mode() const;
    std::vector<std::pair<std::string, std::string>> program_environment() const;
    void open_stream(ExecRequest request, Reply reply, bool send_start_byte);
    void start_session_pod(std::vector<std::string> program, Reply reply);
    size_t take_output(csh_stream stream, std::string_view data);
    void program_ended(const ExecEnd& end);
    void ask_pod_exit_code(int attempt);
    void judge_lost_program(std::optional<int64_t> exit_code, std::string error);
    void pod_gone(std::optional<int64_t> exit_code);
    void report_exit(int64_t exit_code);
    void remove_own_pod();
    void log(const char* code, const std::string& message, std::initializer_list<csh::sdk::LogField> fields = {}) const;

    std::shared_ptr<const ConnectionContext> context_;
    std::string channel_label_;
    PodRef pod_;  // where the program runs
    std::shared_ptr<ExecStream> stream_;
    bool expect_pid_ = false;
    csh::backend_support::AgentPidReader pid_reader_;
    uint32_t pid_ = 0;
    std::string delivered_signal_;
};

}  // namespace backend_kubernetes
