#include "local_session.hpp"

#include "messages.hpp"

#include <containerssh/sdk/signal_names.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <system_error>

extern char** environ;

namespace backend_local {

using csh::sdk::StatusCompletion;

namespace {

// The exit-signal name of a signal number; "SIG<n>" for one without a name.
std::string exit_signal_name(int number) {
    const std::string_view name = csh::sdk::signal_name(number);
    return name.empty() ? "SIG" + std::to_string(number) : std::string(name);
}

constexpr char kSftpServer[] = "/usr/lib/openssh/sftp-server";
// How long a closed session's program gets after SIGHUP before SIGKILL.
constexpr std::chrono::milliseconds kHangupGrace{2000};
constexpr size_t kReadChunk = 32 * 1024;

}  // namespace

LocalSession::LocalSession(csh::sdk::Host host, const csh::sdk::SessionParams& params,
                           std::shared_ptr<ConnectionState> connection)
    : ProgramSession(std::move(host), params), connection_(std::move(connection)) {
    output_.id = CSH_STREAM_STDOUT;
    error_output_.id = CSH_STREAM_STDERR;
}

LocalSession::~LocalSession() {
    // Only reached with a live child when the plugin is torn down abruptly;
    // normally close() made sure the child was reaped first.
    if (pid_ > 0 && !reaped_) {
        ::kill(-pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, WNOHANG);
    }
}

// ------------------------------------------------------------- requests

bool LocalSession::offers(const csh::sdk::Program& program) const {
    if (program.kind != csh::sdk::ProgramKind::subsystem) return true;
    if (program.command == "sftp" && ::access(kSftpServer, X_OK) == 0) return true;
    host().log(codes::BACKEND_LOCAL_SUBSYSTEM_UNAVAILABLE, "subsystem not offered", {{"subsystem", program.command}},
               connection_->connection);
    return false;
}

std::vector<std::string> LocalSession::argv_for(const csh::sdk::Program& program) const {
    switch (program.kind) {
        case csh::sdk::ProgramKind::shell:
            return connection_->config.shell;
        case csh::sdk::ProgramKind::subsystem:
            return {kSftpServer};
        case csh::sdk::ProgramKind::exec:
            break;
    }
    return {"/bin/sh", "-c", program.command};
}

void LocalSession::resize(const csh::sdk::WindowSize& size, StatusCompletion done) {
    // Without a terminal there is nothing to resize; like OpenSSH, not an error.
    if (terminal() && output_.fd.valid() && !set_terminal_size(output_.fd.get(), size)) {
        done.fail(std::string("cannot resize the terminal: ") + std::strerror(errno));
        return;
    }
    done.ok();
}

void LocalSession::deliver_signal(std::string_view name, StatusCompletion done) {
    const int number = csh::sdk::any_signal_number(name);
    if (number == 0) {
        host().log(codes::BACKEND_LOCAL_SIGNAL_FAILED, "unknown signal name", {{"signal", name}}, connection_->connection);
        done.fail("unknown signal");
        return;
    }
    if (pid_ <= 0 || reaped_) {
        done.fail("no program is running");
        return;
    }
    if (::kill(pid_, number) != 0) {
        const std::string cause = std::strerror(errno);
        host().log(codes::BACKEND_LOCAL_SIGNAL_FAILED, "signal not delivered", {{"signal", name}, {"cause", cause}},
                   connection_->connection);
        done.fail("the signal could not be delivered: " + cause);
        return;
    }
    done.ok();
}

// ---------------------------------------------------------------- start

void LocalSession::start(const csh::sdk::Program& program, csh::sdk::StartCompletion done) {
    if (pid_ > 0 && !reaped_) {
        // A program that failed to start has not been reaped yet.
        done.fail("the previous program of this session is still ending");
        return;
    }
    SpawnSpec spec{argv_for(program), child_environment(), connection_->config.workdir, std::nullopt};
    if (terminal()) {
        spec.terminal = csh::sdk::WindowSize{terminal()->columns, terminal()->rows, terminal()->width_px,
                                             terminal()->height_px};
    }
    const std::string executable = spec.argv.front();

    SpawnedChild child;
    try {
        child = spawn_child(spec);
    } catch (const std::system_error& e) {
        host().log(codes::BACKEND_LOCAL_PROGRAM_START_FAILED, "cannot start the program",
                   {{"program", executable}, {"cause", e.what()}}, connection_->connection);
        done.fail(std::string("cannot start the program: ") + e.what());
        return;
    }
    pid_ = child.pid;
    reaped_ = false;
    kind_ = program.kind_name();
    output_.fd = std::move(child.output);
    error_output_.fd = std::move(child.error_output);
    input_.fd = std::move(child.input);
    exec_report_ = std::move(child.exec_report);

    csh_strand* strand = session_host().strand();
    try {
        // The exit watch keeps the session alive until the child is reaped,
        // even after the host closed it.
        exit_watch_ = connection_->reaper.watch(
            strand, pid_, [self = self<LocalSession>()](int wait_status) { self->on_exit(wait_status); });
        exec_report_watch_ =
            host().fd_watch_start(strand, exec_report_.get(), CSH_FD_READ, [this](uint32_t) { on_exec_report(); });
    } catch (const std::exception& e) {
        // The child cannot be followed: stop it now rather than leak it.
        ::kill(-pid_, SIGKILL);
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        reaped_ = true;
        exit_watch_.reset();
        release_io();
        host().log(codes::BACKEND_LOCAL_PROGRAM_START_FAILED, "cannot watch the program",
                   {{"program", executable}, {"cause", e.what()}}, connection_->connection);
        done.fail(std::string("cannot watch the program: ") + e.what());
        return;
    }
    start_done_.emplace(std::move(done));
}

std::vector<std::string> LocalSession::child_environment() const {
    // The gateway's environment (unless inheritEnvironment is false), then
    // TERM from the pty request, then the client's env requests, then the
    // connection's metadata (set by the auth or config server, so it has the
    // last word).
    std::map<std::string, std::string> vars;
    char** inherited = connection_->config.inherit_environment ? environ : nullptr;
    for (char** entry = inherited; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string_view text(*entry);
        const size_t eq = text.find('=');
        if (eq != std::string_view::npos) vars[std::string(text.substr(0, eq))] = std::string(text.substr(eq + 1));
    }
    if (vars.count("PATH") == 0) vars["PATH"] = "/usr/local/bin:/usr/bin:/bin";
    if (terminal() && !terminal()->term.empty()) vars["TERM"] = terminal()->term;
    for (const auto& [name, value] : environment()) vars[name] = value;
    for (const auto& [name, value] : connection_->metadata_environment) vars[name] = value;

    std::vector<std::string> out;
    out.reserve(vars.size());
    for (const auto& [name, value] : vars) out.push_back(name + "=" + value);
    return out;
}

void LocalSession::on_exec_report() {
    int error = 0;
    const ssize_t n = ::read(exec_report_.get(), &error, sizeof error);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    exec_report_watch_.stop();
    exec_report_.reset();
    csh::sdk::StartCompletion done = std::move(*start_done_);
    start_done_.reset();

    if (n == static_cast<ssize_t>(sizeof error)) {
        const std::string cause = std::strerror(error);
        host().log(codes::BACKEND_LOCAL_PROGRAM_START_FAILED, "the program could not be started",
                   {{"kind", kind_}, {"workdir", connection_->config.workdir}, {"cause", cause}},
                   connection_->connection);
        release_io();
        done.fail("cannot start the program: " + cause);
        return;
    }

    host().log(codes::BACKEND_LOCAL_PROGRAM_STARTED, "program started",
               {{"kind", kind_}, {"pid", std::to_string(pid_)}, {"terminal", terminal() ? "yes" : "no"}},
               connection_->connection);
    csh_strand* strand = session_host().strand();
    for (Stream* stream : {&output_, &error_output_}) {
        if (!stream->fd.valid()) continue;
        stream->reading = true;
        stream->watch = host().fd_watch_start(strand, stream->fd.get(), CSH_FD_READ,
                                              [this, stream](uint32_t ready) { on_ready(*stream, ready); });
    }
    done.ok();
}

// ----------------------------------------------------------------- exit

void LocalSession::on_exit(int wait_status) {
    reaped_ = true;
    exit_watch_.reset();
    kill_timer_.cancel();
    const bool signalled = WIFSIGNALED(wait_status);
    host().log(codes::BACKEND_LOCAL_PROGRAM_EXITED, "program ended",
               {{"pid", std::to_string(pid_)},
                {signalled ? "signal" : "status",
                 signalled ? exit_signal_name(WTERMSIG(wait_status)) : std::to_string(WEXITSTATUS(wait_status))}},
               connection_->connection);
    if (phase() == Phase::closed) return;
    // Nobody reads stdin any more.
    if (!terminal()) close_stdin();
    program_exited(signalled ? csh::sdk::ProgramExit::with_signal(exit_signal_name(WTERMSIG(wait_status)),
                                                                  WCOREDUMP(wait_status) != 0)
                             : csh::sdk::ProgramExit::with_status(static_cast<uint32_t>(WEXITSTATUS(wait_status))));
}

// --------------------------------------------------------------- output

void LocalSession::on_ready(Stream& stream, uint32_t ready) {
    if ((ready & (CSH_FD_WRITE | CSH_FD_ERROR)) != 0 && stream.want_write) {
        stream.want_write = false;
        refresh(stream);
        input_ready();
    }
    if ((ready & (CSH_FD_READ | CSH_FD_ERROR)) != 0 && stream.reading && !output_paused_) read_output(stream);
}

void LocalSession::read_output(Stream& stream) {
    char buffer[kReadChunk];
    const ssize_t n = ::read(stream.fd.get(), buffer, sizeof buffer);
    if (n > 0) {
        // Read only while nothing is held, so all of it is taken.
        deliver_output(stream.id, std::string_view(buffer, static_cast<size_t>(n)));
        return;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    // EIO on a pty master means every holder of the terminal closed it.
    if (n < 0 && errno != EIO) log_io_error("read", errno);
    end_output(stream);
}

void LocalSession::end_output(Stream& stream) {
    const bool stdin_was_waiting = stream.want_write;
    stream.reading = false;
    stream.want_write = false;
    stream.watch.stop();
    stream.fd.reset();
    if (stdin_was_waiting) input_ready();  // further input is discarded
    if (!output_.reading && !error_output_.reading) output_ended();
}

void LocalSession::pause_output() {
    output_paused_ = true;
    refresh_outputs();
}

void LocalSession::resume_output() {
    output_paused_ = false;
    refresh_outputs();
}

void LocalSession::refresh(Stream& stream) {
    const uint32_t events = (stream.reading && !output_paused_ ? CSH_FD_READ : 0u) |
                            (stream.want_write ? CSH_FD_WRITE : 0u);
    stream.watch.update(events);
}

void LocalSession::refresh_outputs() {
    refresh(output_);
    refresh(error_output_);
}

// ---------------------------------------------------------------- stdin

LocalSession::Stream* LocalSession::stdin_stream() {
    Stream& stream = terminal() ? output_ : input_;
    return stream.fd.valid() ? &stream : nullptr;
}

size_t LocalSession::write_input(std::string_view data) {
    Stream* stream = stdin_stream();
    if (stream == nullptr) return data.size();  // nobody will ever read it
    if (stream->want_write) return 0;
    const ssize_t written = write_without_sigpipe(stream->fd.get(), data.data(), data.size());
    if (written >= 0) {
        if (static_cast<size_t>(written) < data.size()) block_stdin(*stream);
        return static_cast<size_t>(written);
    }
    if (errno == EAGAIN || errno == EINTR) {
        block_stdin(*stream);
        return 0;
    }
    if (errno != EPIPE && errno != EIO) log_io_error("write", errno);
    if (!terminal()) close_stdin();
    return data.size();
}

void LocalSession::block_stdin(Stream& stream) {
    stream.want_write = true;
    if (!stream.watch.active()) {
        stream.watch = host().fd_watch_start(session_host().strand(), stream.fd.get(), CSH_FD_WRITE,
                                             [this, &stream](uint32_t ready) { on_ready(stream, ready); });
        return;
    }
    refresh(stream);
}

void LocalSession::close_input() { close_stdin(); }

void LocalSession::close_stdin() {
    const bool was_waiting = input_.want_write;
    input_.want_write = false;
    input_.watch.stop();
    input_.fd.reset();
    if (was_waiting) input_ready();
}

// ---------------------------------------------------------------- close

void LocalSession::stop(Phase) {
    if (start_done_) {
        start_done_->fail("the session was closed before the program started");
        start_done_.reset();
    }
    release_io();
    if (pid_ > 0 && !reaped_) hang_up();
}

void LocalSession::hang_up() {
    if (::kill(-pid_, SIGHUP) != 0) ::kill(pid_, SIGHUP);
    host().log(codes::BACKEND_LOCAL_PROGRAM_KILLED, "session closed while the program ran; sent SIGHUP",
               {{"pid", std::to_string(pid_)}}, connection_->connection);
    kill_timer_ = host().timer_start(session_host().strand(), kHangupGrace, [self = self<LocalSession>()] {
        if (self->reaped_) return;
        if (::kill(-self->pid_, SIGKILL) != 0) ::kill(self->pid_, SIGKILL);
        self->host().log(codes::BACKEND_LOCAL_PROGRAM_KILLED, "program ignored SIGHUP; sent SIGKILL",
                         {{"pid", std::to_string(self->pid_)}}, self->connection_->connection);
    });
}

void LocalSession::release_io() {
    exec_report_watch_.stop();
    exec_report_.reset();
    for (Stream* stream : {&output_, &error_output_, &input_}) {
        stream->watch.stop();
        stream->fd.reset();
        stream->reading = false;
        stream->want_write = false;
    }
}

void LocalSession::log_io_error(const char* what, int error) {
    host().log(codes::BACKEND_LOCAL_IO_FAILED, "I/O with the program failed",
               {{"operation", what}, {"cause", std::strerror(error)}}, connection_->connection);
}

}  // namespace backend_local
