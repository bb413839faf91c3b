// One session channel of backend-local: one child process.
//
// All work runs on the session's strand through the host's loop: the
// program's output fds, its stdin pipe, the exec report pipe and its exit
// notification are fd watches, never threads. Flow control follows
// backend.h: a short write_output pauses every output watch until
// output_ready; a short stdin write returns what was taken and calls
// stdin_ready once the pipe is writable again.
#pragma once

#include "child_process.hpp"
#include "child_reaper.hpp"
#include "local_connection.hpp"
#include "unique_fd.hpp"

#include <containerssh/sdk/backend.hpp>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace backend_local {

class LocalSession final : public csh::sdk::BackendSession {
public:
    LocalSession(csh::sdk::Host host, const csh::sdk::SessionParams& params, std::shared_ptr<ConnectionState> connection);
    ~LocalSession() override;

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
    enum class State {
        idle,      // collecting env/pty requests
        starting,  // forked; waiting for the exec report
        running,   // the program runs or its output is being drained
        finished,  // exit reported and finished() sent
        failed,    // the program could not be started
        closed,    // the host closed the session
    };

    // One fd of the child with its watch; the pty master is both output and input.
    struct Stream {
        csh_stream id = CSH_STREAM_STDOUT;
        UniqueFd fd;
        csh::sdk::FdWatch watch;
        bool reading = false;     // output not at EOF yet
        bool want_write = false;  // stdin is waiting for the fd to be writable
    };

    void start(std::vector<std::string> argv, const char* kind, csh::sdk::StatusCompletion done);
    std::vector<std::string> child_environment() const;
    void on_exec_report();
    void on_exit(int wait_status);
    void maybe_finish();

    void on_ready(Stream& stream, uint32_t ready);
    void read_output(Stream& stream);
    void end_output(Stream& stream);
    void refresh(Stream& stream);
    void refresh_outputs();

    Stream* stdin_stream();
    void block_stdin(Stream& stream);
    void on_stdin_writable(Stream& stream);
    void close_stdin();

    void hang_up();
    void release_io();
    void log_io_error(const char* what, int error);

    std::shared_ptr<ConnectionState> connection_;
    State state_ = State::idle;
    const char* kind_ = "";  // exec, shell or subsystem (never the command: it may hold secrets)

    std::vector<std::pair<std::string, std::string>> env_requests_;
    std::optional<csh::sdk::PtyRequest> pty_;
    csh::sdk::WindowSize terminal_size_;

    pid_t pid_ = -1;
    bool reaped_ = false;
    int wait_status_ = 0;
    std::unique_ptr<ExitWatch> exit_watch_;
    csh::sdk::Timer kill_timer_;

    UniqueFd exec_report_;
    csh::sdk::FdWatch exec_report_watch_;
    std::optional<csh::sdk::StatusCompletion> start_done_;

    Stream output_;        // stdout, or the pty master
    Stream error_output_;  // stderr (pipe mode only)
    Stream input_;         // stdin (pipe mode only)

    // Output the host did not take yet; while set, every output watch is paused.
    std::string pending_output_;
    csh_stream pending_stream_ = CSH_STREAM_STDOUT;
    bool output_blocked_ = false;

    bool stdin_waiting_for_start_ = false;
    bool stdin_eof_before_start_ = false;
};

}  // namespace backend_local
