// One session channel of backend-local: one child process.
//
// All work runs on the session's strand through the host's loop: the
// program's output fds, its stdin pipe, the exec report pipe and its exit
// notification are fd watches, never threads. The SDK's ProgramSession keeps
// the session's rules (requests before the start, early stdin, held output,
// exit only after the output); this class spawns, reads, writes and reaps.
#pragma once

#include "child_process.hpp"
#include "child_reaper.hpp"
#include "local_connection.hpp"
#include "unique_fd.hpp"

#include <containerssh/sdk/program_session.hpp>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace backend_local {

class LocalSession final : public csh::sdk::ProgramSession {
public:
    LocalSession(csh::sdk::Host host, const csh::sdk::SessionParams& params, std::shared_ptr<ConnectionState> connection);
    ~LocalSession() override;

private:
    // One fd of the child with its watch; the pty master is both output and input.
    struct Stream {
        csh_stream id = CSH_STREAM_STDOUT;
        UniqueFd fd;
        csh::sdk::FdWatch watch;
        bool reading = false;     // output not at EOF yet
        bool want_write = false;  // stdin is waiting for the fd to be writable
    };

    bool offers(const csh::sdk::Program& program) const override;
    void start(const csh::sdk::Program& program, csh::sdk::StartCompletion done) override;
    size_t write_input(std::string_view data) override;
    void close_input() override;
    void pause_output() override;
    void resume_output() override;
    void resize(const csh::sdk::WindowSize& size, csh::sdk::StatusCompletion done) override;
    void deliver_signal(std::string_view name, csh::sdk::StatusCompletion done) override;
    void stop(Phase before) override;

    std::vector<std::string> argv_for(const csh::sdk::Program& program) const;
    std::vector<std::string> child_environment() const;
    void on_exec_report();
    void on_exit(int wait_status);

    void on_ready(Stream& stream, uint32_t ready);
    void read_output(Stream& stream);
    void end_output(Stream& stream);
    void refresh(Stream& stream);
    void refresh_outputs();

    Stream* stdin_stream();
    void block_stdin(Stream& stream);
    void close_stdin();

    void hang_up();
    void release_io();
    void log_io_error(const char* what, int error);

    std::shared_ptr<ConnectionState> connection_;
    const char* kind_ = "";  // exec, shell or subsystem (never the command: it may hold secrets)

    pid_t pid_ = -1;
    bool reaped_ = false;
    std::unique_ptr<ExitWatch> exit_watch_;
    csh::sdk::Timer kill_timer_;

    UniqueFd exec_report_;
    csh::sdk::FdWatch exec_report_watch_;
    std::optional<csh::sdk::StartCompletion> start_done_;

    Stream output_;        // stdout, or the pty master
    Stream error_output_;  // stderr (pipe mode only)
    Stream input_;         // stdin (pipe mode only)
    bool output_paused_ = false;  // the host holds output the client has not taken yet
};

}  // namespace backend_local
