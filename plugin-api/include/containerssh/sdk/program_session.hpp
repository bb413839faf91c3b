// ProgramSession: a backend session that runs one program, with the rules
// every such backend needs written once.
//
//   - env and pty-req are collected before the program starts and refused
//     after; a window change before the start resizes the requested terminal.
//   - exec, shell or subsystem starts the program once, through start().
//     Only exec is offered unless the backend's offers() says otherwise.
//   - Stdin that arrives before the program runs is held (up to
//     kEarlyInputLimit; beyond it the channel's window stays shut) and handed
//     over first, in order, then the client's EOF. With a terminal the EOF is
//     ignored, as sshd does: closing a terminal would hang the program up
//     before its output is read.
//   - Output the client's window cannot take is held and the backend's
//     output source paused until the host took all of it.
//   - exit-status (or exit-signal), then finished, go out only once the
//     program ended and every byte of its output was delivered.
//
// A backend implements start(), write_input(), close_input(), stop() and,
// where it has them, pause_output()/resume_output(), resize() and
// deliver_signal(). It reports back with deliver_output(), output_ended(),
// program_exited() and input_ready(). Everything runs on the channel strand.
#pragma once

#include <containerssh/sdk/backend.hpp>

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace csh::sdk {

enum class ProgramKind { exec, shell, subsystem };

// What the client asked to run.
struct Program {
    ProgramKind kind = ProgramKind::exec;
    // exec: the command line as the client sent it; subsystem: its name;
    // shell: empty. May hold secrets: log `kind_name()`, not this.
    std::string command;

    const char* kind_name() const {
        switch (kind) {
            case ProgramKind::exec:
                return "exec";
            case ProgramKind::shell:
                return "shell";
            case ProgramKind::subsystem:
                return "subsystem";
        }
        return "exec";
    }
};

// How the program ended, for program_exited().
struct ProgramExit {
    std::optional<uint32_t> status;  // exit-status
    std::string signal;              // exit-signal without "SIG"; empty: none
    bool core_dumped = false;
    std::string signal_message;
    // A line for the person at the client, written to stderr before the end
    // (e.g. why no exit code is known); empty: none.
    std::string user_message;

    static ProgramExit with_status(uint32_t code) {
        ProgramExit exit;
        exit.status = code;
        return exit;
    }
    static ProgramExit with_signal(std::string name, bool core_dumped = false, std::string message = {}) {
        ProgramExit exit;
        exit.signal = std::move(name);
        exit.core_dumped = core_dumped;
        exit.signal_message = std::move(message);
        return exit;
    }
    // Neither status nor signal is known: the client sees the channel close
    // without either (and `message`, when given).
    static ProgramExit unknown(std::string message = {}) {
        ProgramExit exit;
        exit.user_message = std::move(message);
        return exit;
    }
    ProgramExit telling(std::string message) && {
        user_message = std::move(message);
        return std::move(*this);
    }
};

class ProgramSession;

// The answer to start(): ok() once the program runs, fail() when it cannot
// start (the session then takes a new exec/shell/subsystem). Move-only; one
// dropped unanswered fails the request.
class StartCompletion {
public:
    StartCompletion(StatusCompletion done, std::weak_ptr<ProgramSession> session)
        : done_(std::move(done)), session_(std::move(session)) {}
    StartCompletion(StartCompletion&&) noexcept = default;
    StartCompletion& operator=(StartCompletion&&) = delete;
    ~StartCompletion();

    bool pending() const { return done_.pending(); }
    void ok();
    void fail(std::string_view reason);

private:
    StatusCompletion done_;
    std::weak_ptr<ProgramSession> session_;
};

class ProgramSession : public BackendSession {
public:
    enum class Phase {
        collecting,  // env/pty collected; no program yet
        starting,    // start() called, not answered
        running,     // the program runs, or its end is being delivered
        finished,    // exit reported and finished sent
        closed,      // the host closed the channel
    };

    // Stdin held before the program runs, at most.
    static constexpr size_t kEarlyInputLimit = 256 * 1024;

    ProgramSession(Host host, const SessionParams& params) : BackendSession(std::move(host), params) {}

    Phase phase() const { return phase_; }
    // The client's env requests, in order.
    const std::vector<std::pair<std::string, std::string>>& environment() const { return environment_; }
    // The requested terminal (its size follows window changes); nullopt
    // without pty-req.
    const std::optional<PtyRequest>& terminal() const { return terminal_; }

    void env(std::string_view name, std::string_view value, StatusCompletion done) final {
        if (refuse_after_start("env", done)) return;
        if (name.empty() || name.find('=') != std::string_view::npos || name.find('\0') != std::string_view::npos ||
            value.find('\0') != std::string_view::npos) {
            done.fail("invalid environment variable name or value");
            return;
        }
        environment_.emplace_back(name, value);
        done.ok();
    }
    void pty(const PtyRequest& request, StatusCompletion done) final {
        if (refuse_after_start("pty-req", done)) return;
        terminal_ = request;
        done.ok();
    }
    void exec(std::string_view command, StatusCompletion done) final {
        begin(Program{ProgramKind::exec, std::string(command)}, std::move(done));
    }
    void shell(StatusCompletion done) final { begin(Program{ProgramKind::shell, {}}, std::move(done)); }
    void subsystem(std::string_view name, StatusCompletion done) final {
        begin(Program{ProgramKind::subsystem, std::string(name)}, std::move(done));
    }
    void window_change(const WindowSize& size, StatusCompletion done) final {
        if (terminal_) {
            terminal_->columns = size.columns;
            terminal_->rows = size.rows;
            terminal_->width_px = size.width_px;
            terminal_->height_px = size.height_px;
        }
        // Before the start the new size is simply the one the program gets.
        if (phase_ != Phase::running) return done.ok();
        resize(size, std::move(done));
    }
    void signal(std::string_view name, StatusCompletion done) final {
        if (phase_ != Phase::running) return done.fail("no program is running");
        deliver_signal(name, std::move(done));
    }

    size_t stdin_data(std::string_view data) final {
        if (phase_ == Phase::finished || phase_ == Phase::closed) return data.size();  // nobody will read it
        if (phase_ == Phase::running && early_input_.empty()) return write_input(data);
        const size_t room = kEarlyInputLimit - std::min(kEarlyInputLimit, early_input_.size());
        const size_t take = std::min(room, data.size());
        early_input_.append(data.substr(0, take));
        if (take < data.size()) early_input_refused_ = true;
        return take;
    }
    void stdin_eof() final {
        if (terminal_) return;
        input_eof_ = true;
        if (phase_ == Phase::running && early_input_.empty()) close_input();
    }
    void output_ready() final {
        while (!held_output_.empty()) {
            auto& [stream, data] = held_output_.front();
            data.erase(0, session_host().write_output(stream, data));
            if (!data.empty()) return;
            held_output_.pop_front();
        }
        resume_output();
        maybe_finish();
    }
    void close() final {
        const Phase before = phase_;
        phase_ = Phase::closed;
        held_output_.clear();
        early_input_.clear();
        stop(before);
    }

protected:
    // ---- what the backend implements

    // Whether this backend runs `program` at all; refused before start()
    // when not. The default offers exec only.
    virtual bool offers(const Program& program) const { return program.kind == ProgramKind::exec; }
    // Starts the program with environment() and terminal(). Its output may
    // be delivered before done.ok() (the host sends it at once); its end is
    // reported to the client only after done.ok().
    virtual void start(const Program& program, StartCompletion done) = 0;
    // Stdin for the running program; returns how many bytes were taken.
    // After a short take call input_ready() once more can be taken. Input
    // nobody will read any more is taken whole and dropped.
    virtual size_t write_input(std::string_view data) = 0;
    // The client's EOF, after all earlier input was taken (never with a
    // terminal).
    virtual void close_input() = 0;
    // Stop offering output / offer it again. An output source that checks
    // deliver_output()'s return value needs neither.
    virtual void pause_output() {}
    virtual void resume_output() {}
    // A window change while the program runs; the default has nothing to
    // resize.
    virtual void resize(const WindowSize& size, StatusCompletion done) {
        (void)size;
        done.ok();
    }
    // A signal for the running program; `name` is the SSH name, without "SIG".
    virtual void deliver_signal(std::string_view name, StatusCompletion done) {
        (void)name;
        done.fail("signals are not supported by this backend");
    }
    // The channel closed (the host's reference goes when this returns): stop
    // the program. `before` is the phase the session was in.
    virtual void stop(Phase before) = 0;
    // A request came after the start and is being refused (for a log line).
    virtual void refused_after_start(std::string_view request) const { (void)request; }

    // ---- how the backend reports

    // The program's output. Returns how many bytes were taken: all of them
    // (some may be held for the client's window; pause_output() is then
    // called), or 0 while earlier output is still held: keep it and offer it
    // again after resume_output().
    size_t deliver_output(csh_stream stream, std::string_view data) {
        if (phase_ != Phase::starting && phase_ != Phase::running) return data.size();
        if (!held_output_.empty()) return 0;
        const size_t taken = session_host().write_output(stream, data);
        if (taken < data.size()) hold(stream, data.substr(taken));
        return data.size();
    }
    // No more output will come.
    void output_ended() {
        output_ended_ = true;
        maybe_finish();
    }
    // The program ended (its output may still be in flight). Only the first
    // report counts.
    void program_exited(ProgramExit exit) {
        if ((phase_ != Phase::starting && phase_ != Phase::running) || exit_) return;
        if (!exit.user_message.empty()) {
            const std::string line = exit.user_message + "\r\n";
            if (held_output_.empty()) {
                const size_t taken = session_host().write_output(CSH_STREAM_STDERR, line);
                if (taken < line.size()) hold(CSH_STREAM_STDERR, std::string_view(line).substr(taken));
            } else {
                held_output_.emplace_back(CSH_STREAM_STDERR, line);
            }
        }
        exit_ = std::move(exit);
        maybe_finish();
    }
    // write_input() can take more after a short take.
    void input_ready() {
        if (phase_ != Phase::running) return;
        if (!early_input_.empty()) return hand_over_early_input();
        session_host().stdin_ready();
    }

private:
    friend class StartCompletion;

    bool refuse_after_start(std::string_view request, StatusCompletion& done) {
        if (phase_ == Phase::collecting) return false;
        refused_after_start(request);
        done.fail("a program was already started in this session");
        return true;
    }

    void begin(Program program, StatusCompletion done) {
        if (refuse_after_start(program.kind_name(), done)) return;
        if (!offers(program)) {
            done.fail(std::string(program.kind_name()) + " is not offered by this backend");
            return;
        }
        phase_ = Phase::starting;
        start(program, StartCompletion(std::move(done), weak_self<ProgramSession>()));
    }

    void started() {
        if (phase_ != Phase::starting) return;
        phase_ = Phase::running;
        hand_over_early_input();
        maybe_finish();
    }
    void start_failed() {
        if (phase_ != Phase::starting) return;
        phase_ = Phase::collecting;
        exit_.reset();
        output_ended_ = false;
    }

    void hand_over_early_input() {
        if (!early_input_.empty()) early_input_.erase(0, write_input(early_input_));
        if (!early_input_.empty() || phase_ != Phase::running) return;  // input_ready() comes back here
        if (std::exchange(early_input_refused_, false)) session_host().stdin_ready();
        if (input_eof_) close_input();
    }

    void hold(csh_stream stream, std::string_view rest) {
        held_output_.emplace_back(stream, std::string(rest));
        pause_output();
    }

    void maybe_finish() {
        if (phase_ != Phase::running || !exit_ || !output_ended_ || !held_output_.empty()) return;
        phase_ = Phase::finished;
        if (exit_->status) {
            session_host().exit_status(*exit_->status);
        } else if (!exit_->signal.empty()) {
            session_host().exit_signal(exit_->signal, exit_->core_dumped, exit_->signal_message);
        }
        session_host().finished();
    }

    Phase phase_ = Phase::collecting;
    std::vector<std::pair<std::string, std::string>> environment_;
    std::optional<PtyRequest> terminal_;
    std::string early_input_;
    bool early_input_refused_ = false;
    bool input_eof_ = false;
    std::deque<std::pair<csh_stream, std::string>> held_output_;
    bool output_ended_ = false;
    std::optional<ProgramExit> exit_;
};

inline StartCompletion::~StartCompletion() {
    if (!done_.pending()) return;
    if (auto session = session_.lock()) session->start_failed();
    // done_'s own destructor answers the request with a failure and logs it.
}

inline void StartCompletion::ok() {
    if (!done_.pending()) return done_.ok();  // logs the double call
    done_.ok();
    if (auto session = session_.lock()) session->started();
}

inline void StartCompletion::fail(std::string_view reason) {
    if (done_.pending()) {
        if (auto session = session_.lock()) session->start_failed();
    }
    done_.fail(reason);
}

}  // namespace csh::sdk
