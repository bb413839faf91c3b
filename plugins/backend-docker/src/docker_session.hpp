// One SSH session channel on the Docker backend. Requests before the program
// (env, pty-req) are collected; exec, shell or subsystem starts the program:
// in connection mode as an exec in the connection's container (behind the
// agent's `console --pid` so signals can reach it), in session mode as the
// command of a container of its own. The program's streams are relayed with
// back-pressure; its end becomes exit-status (or exit-signal for a signal we
// delivered), then the channel closes.
#pragma once

#include "connection_context.hpp"
#include "engine/attached_stream.hpp"

#include <containerssh/sdk/backend.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace backend_docker {

class DockerSession final : public csh::sdk::BackendSession {
public:
    // `container` is the connection's container (connection mode), "" in
    // session mode.
    DockerSession(std::shared_ptr<const ConnectionContext> context, const csh::sdk::SessionParams& params,
                  std::string container);
    ~DockerSession() override;

    void env(std::string_view name, std::string_view value, csh::sdk::StatusCompletion done) override;
    void pty(const csh::sdk::PtyRequest& request, csh::sdk::StatusCompletion done) override;
    void exec(std::string_view command, csh::sdk::StatusCompletion done) override;
    void shell(csh::sdk::StatusCompletion done) override;
    void subsystem(std::string_view name, csh::sdk::StatusCompletion done) override;
    void window_change(const csh::sdk::WindowSize& size, csh::sdk::StatusCompletion done) override;
    void signal(std::string_view name, csh::sdk::StatusCompletion done) override;
    size_t stdin_data(std::string_view data) override;
    void stdin_eof() override;
    void output_ready() override;
    void close() override;

private:
    enum class Phase { collecting, starting, running, ending, closed };

    bool refuse_when_started(csh::sdk::StatusCompletion& done);
    void start_program(std::vector<std::string> program, csh::sdk::StatusCompletion done);
    bool awaits_terminal_size() const;
    std::vector<std::string> program_environment() const;
    void start_exec(std::vector<std::string> program, csh::sdk::StatusCompletion done);
    void start_session_container(std::vector<std::string> program, csh::sdk::StatusCompletion done);
    void attach(EngineResponse response);
    void push_early_input();
    size_t take_output(csh_stream stream, std::string_view data);
    void resize(uint32_t rows, uint32_t columns, std::function<void(bool ok)> done);
    void program_ended(const std::string& stream_error);
    void ask_exit_code();
    void ask_exit_code_again();
    void report_exit(int64_t exit_code);
    void end_with_message(const std::string& message);
    void finish();
    void remove_own_container();
    void log(const char* code, const std::string& message, std::initializer_list<csh::sdk::LogField> fields = {}) const;

    std::shared_ptr<const ConnectionContext> context_;
    std::string channel_label_;
    Phase phase_ = Phase::collecting;
    bool session_mode_;
    std::string container_;      // where the program runs
    std::string exec_id_;        // connection mode
    std::vector<std::string> client_environment_;
    std::optional<csh::sdk::PtyRequest> pty_;
    std::shared_ptr<AttachedStream> stream_;
    std::string early_input_;    // stdin that came before the program started
    bool early_input_refused_ = false;
    bool stdin_eof_ = false;
    // The agent's 4-byte PID prefix of stdout (connection mode with agent).
    bool expect_pid_ = false;
    std::string pid_bytes_;
    uint32_t pid_ = 0;
    std::string delivered_signal_;  // the last signal we delivered
    int exit_code_polls_ = 0;
};

}  // namespace backend_docker
