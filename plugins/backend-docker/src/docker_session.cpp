#include "docker_session.hpp"

#include "container_lifecycle.hpp"
#include "messages.hpp"
#include "program_line.hpp"
#include <csh/agent/agent_protocol.hpp>
#include <containerssh/sdk/signal_names.hpp>

namespace backend_docker {

using csh::sdk::StatusCompletion;

namespace {

using Reply = std::shared_ptr<StatusCompletion>;

Reply share(StatusCompletion done) { return std::make_shared<StatusCompletion>(std::move(done)); }

}  // namespace

DockerSession::DockerSession(std::shared_ptr<const ConnectionContext> context, const csh::sdk::SessionParams& params,
                             std::string container)
    : BackendSession(context->host, params),
      context_(std::move(context)),
      channel_label_(std::to_string(params.channel_id())),
      session_mode_(context_->config->mode == ExecutionMode::session),
      container_(std::move(container)) {}

DockerSession::~DockerSession() = default;

void DockerSession::log(const char* code, const std::string& message,
                        std::initializer_list<csh::sdk::LogField> fields) const {
    std::vector<csh::sdk::LogField> all(fields);
    all.push_back({"channelId", channel_label_});
    if (!container_.empty()) all.push_back({"containerId", container_});
    context_->host.log(code, message, all, context_->connection);
}

bool DockerSession::refuse_when_started(StatusCompletion& done) {
    if (phase_ == Phase::collecting) return false;
    log(codes::DOCKER_PROGRAM_ALREADY_RUNNING, "the program is already running; request refused");
    done.fail("program already running");
    return true;
}

void DockerSession::env(std::string_view name, std::string_view value, StatusCompletion done) {
    if (refuse_when_started(done)) return;
    client_environment_.push_back(std::string(name) + "=" + std::string(value));
    done.ok();
}

void DockerSession::pty(const csh::sdk::PtyRequest& request, StatusCompletion done) {
    if (refuse_when_started(done)) return;
    pty_ = request;
    done.ok();
}

void DockerSession::exec(std::string_view command, StatusCompletion done) {
    if (refuse_when_started(done)) return;
    start_program(program_for_exec(command), std::move(done));
}

void DockerSession::shell(StatusCompletion done) {
    if (refuse_when_started(done)) return;
    start_program(context_->config->shell_command, std::move(done));
}

void DockerSession::subsystem(std::string_view name, StatusCompletion done) {
    if (refuse_when_started(done)) return;
    const auto& subsystems = context_->config->subsystems;
    const auto found = subsystems.find(std::string(name));
    if (found == subsystems.end()) {
        log(codes::DOCKER_SUBSYSTEM_NOT_SUPPORTED, "the subsystem is not configured", {{"subsystem", name}});
        done.fail("subsystem not supported");
        return;
    }
    start_program({found->second}, std::move(done));
}

bool DockerSession::awaits_terminal_size() const {
    return pty_ && pty_->rows > 0 && pty_->columns > 0 && !context_->config->disable_agent;
}

std::vector<std::string> DockerSession::program_environment() const {
    // The client's variables first, so the operator's (metadata) win.
    std::vector<std::string> environment = client_environment_;
    if (pty_ && !pty_->term.empty()) environment.push_back("TERM=" + pty_->term);
    environment.insert(environment.end(), context_->environment.begin(), context_->environment.end());
    // The terminal is sized right after the program's start: our agent
    // waits for that, so the program never starts on a 0x0 terminal.
    if (awaits_terminal_size()) {
        environment.push_back(std::string(csh::agent::kAwaitTerminalSizeVariable) + "=1");
    }
    return environment;
}

void DockerSession::start_program(std::vector<std::string> program, StatusCompletion done) {
    phase_ = Phase::starting;
    if (session_mode_) {
        start_session_container(std::move(program), std::move(done));
    } else {
        start_exec(std::move(program), std::move(done));
    }
}

void DockerSession::start_exec(std::vector<std::string> program, StatusCompletion done) {
    const DockerConfig& config = *context_->config;
    std::vector<std::string> command;
    const bool tty = pty_.has_value();
    const std::vector<std::string> environment = program_environment();
    if (!config.disable_agent) {
        command = {config.agent_path, "console", "--pid", "--"};
        expect_pid_ = true;
    }
    command.insert(command.end(), program.begin(), program.end());
    log(codes::DOCKER_EXEC_CREATE, "creating an exec", {{"program", program.front()}});
    auto reply = share(std::move(done));
    auto weak = weak_self<DockerSession>();
    context_->engine->create_exec(
        context_->site(), container_, exec_create_body(command, environment, tty, true),
        config.timeouts.command_start, [weak, reply, tty](EngineResult r, std::string exec_id) {
            auto self = weak.lock();
            if (!self || self->phase_ != Phase::starting) return reply->fail("session closed");
            if (!r.ok()) {
                self->log(codes::DOCKER_EXEC_CREATE_FAILED, r.error);
                self->phase_ = Phase::collecting;
                return reply->fail("the program could not be started");
            }
            self->exec_id_ = exec_id;
            self->log(codes::DOCKER_EXEC_ATTACH, "starting the exec", {{"execId", exec_id}});
            self->context_->engine->start_exec(
                self->context_->site(), exec_id, tty, self->context_->config->timeouts.command_start,
                [weak, reply](EngineResult r, EngineResponse response) {
                    auto self = weak.lock();
                    if (!self || self->phase_ != Phase::starting) return reply->fail("session closed");
                    if (!r.ok()) {
                        self->log(codes::DOCKER_EXEC_ATTACH_FAILED, r.error, {{"execId", self->exec_id_}});
                        self->phase_ = Phase::collecting;
                        return reply->fail("the program could not be started");
                    }
                    self->attach(std::move(response));
                    reply->ok();
                });
        });
}

void DockerSession::start_session_container(std::vector<std::string> program, StatusCompletion done) {
    auto reply = share(std::move(done));
    // Strong references: a close during the start must still find the
    // container to remove it.
    auto weak = self<DockerSession>();
    // Any failure before the program runs: tell the user on stderr, refuse
    // the request and remove what was made.
    auto failed = [weak, reply](const std::string& user_error) {
        auto self = weak;
        if (self->phase_ != Phase::starting) {
            reply->fail(user_error);
        } else {
            // A refused request shows the client nothing but "request
            // failed"; accepting it lets the user read why, and the session
            // ends with status 127 (the program did not run).
            reply->ok();
            self->phase_ = Phase::ending;
            self->session_host().write_output(CSH_STREAM_STDERR, user_error + "\r\n");
            self->session_host().exit_status(127);
            self->session_host().finished();
        }
        self->remove_own_container();
    };
    ContainerSpec spec;
    spec.environment = program_environment();
    if (awaits_terminal_size()) {
        // Only to hold the program until its terminal is sized (below);
        // signals still come from the engine's kill, through the init.
        spec.command = {context_->config->agent_path, "console", "--"};
    }
    spec.command.insert(spec.command.end(), program.begin(), program.end());
    spec.labels = context_->labels();
    spec.tty = pty_.has_value();
    spec.attach_stdin = true;
    spec.default_init = true;
    ensure_image(context_, [weak, reply, failed, spec](const std::string& error) {
        auto self = weak;
        if (!self || self->phase_ != Phase::starting) return reply->fail("session closed");
        if (!error.empty()) return failed(error);
        create_container(self->context_, spec, [weak, reply, failed](const std::string& id, const std::string& error) {
            auto self = weak;
            if (!error.empty()) return failed(error);
            if (!self || self->phase_ != Phase::starting) {
                // Closed while creating: the container must not stay behind.
                if (self) self->container_ = id;
                if (self) self->remove_own_container();
                return reply->fail("session closed");
            }
            self->container_ = id;
            self->log(codes::DOCKER_CONTAINER_ATTACH, "attaching to the container");
            self->context_->engine->attach_container(
                self->context_->site(), id, self->context_->config->timeouts.container_start,
                [weak, reply, failed](EngineResult r, EngineResponse response) {
                    auto self = weak;
                    if (!self || self->phase_ != Phase::starting) {
                        if (self) self->remove_own_container();
                        return reply->fail("session closed");
                    }
                    if (!r.ok()) {
                        self->log(codes::DOCKER_CONTAINER_ATTACH_FAILED, r.error);
                        return failed("The container could not be attached.");
                    }
                    auto attached = std::make_shared<EngineResponse>(std::move(response));
                    start_container(self->context_, self->container_,
                                    [weak, reply, failed, attached](const std::string& error) {
                                        auto self = weak;
                                        if (!self || self->phase_ != Phase::starting) {
                                            if (self) self->remove_own_container();
                                            return reply->fail("session closed");
                                        }
                                        if (!error.empty()) return failed(error);
                                        self->attach(std::move(*attached));
                                        reply->ok();
                                    });
                });
        });
    });
}

void DockerSession::attach(EngineResponse response) {
    phase_ = Phase::running;
    auto weak = weak_self<DockerSession>();
    AttachedStream::Callbacks callbacks;
    callbacks.output = [weak](csh_stream stream, std::string_view data) -> size_t {
        auto self = weak.lock();
        return self ? self->take_output(stream, data) : data.size();
    };
    callbacks.input_ready = [weak] {
        auto self = weak.lock();
        if (!self) return;
        if (!self->early_input_.empty()) return self->push_early_input();
        self->session_host().stdin_ready();
    };
    callbacks.ended = [weak](const std::string& error) {
        if (auto self = weak.lock()) self->program_ended(error);
    };
    callbacks.input_failed = [weak](bool closing, const std::string& error) {
        if (auto self = weak.lock()) {
            self->log(closing ? codes::DOCKER_CLOSE_INPUT_FAILED : codes::DOCKER_STREAM_INPUT_FAILED, error);
        }
    };
    // Without a TTY the engine multiplexes stdout and stderr.
    stream_ = AttachedStream::start(context_->host, context_->strand, std::move(response), !pty_.has_value(),
                                    std::move(callbacks));
    if (pty_ && pty_->rows > 0 && pty_->columns > 0) resize(pty_->rows, pty_->columns, [](bool) {});
    push_early_input();
}

// Input that came before the program could take it, in order, then the
// client's EOF; the client may send more once all of it is out.
void DockerSession::push_early_input() {
    if (!stream_) return;
    if (!early_input_.empty()) early_input_.erase(0, stream_->write_input(early_input_));
    if (!early_input_.empty()) return;  // the stream calls input_ready when it has room
    if (early_input_refused_) {
        early_input_refused_ = false;
        session_host().stdin_ready();
    }
    if (stdin_eof_) stream_->close_input();
}

size_t DockerSession::take_output(csh_stream stream, std::string_view data) {
    size_t consumed = 0;
    if (expect_pid_ && stream == CSH_STREAM_STDOUT) {
        // The agent writes the program's PID as 4 little-endian bytes before
        // it execs the program.
        const size_t take = std::min(data.size(), 4 - pid_bytes_.size());
        pid_bytes_.append(data.substr(0, take));
        consumed = take;
        data.remove_prefix(take);
        if (pid_bytes_.size() == 4) {
            expect_pid_ = false;
            const auto* b = reinterpret_cast<const unsigned char*>(pid_bytes_.data());
            pid_ = uint32_t{b[0]} | (uint32_t{b[1]} << 8) | (uint32_t{b[2]} << 16) | (uint32_t{b[3]} << 24);
            // Linux PIDs stay below 2^22: anything else is not the agent
            // talking (e.g. the runtime's "OCI runtime exec failed" when the
            // image has no agent). Those bytes are output for the user.
            if (pid_ == 0 || pid_ > (1u << 22)) {
                pid_ = 0;
                log(codes::DOCKER_AGENT_READ_FAILED,
                    "the program's first output is not a process id from the guest agent; is the agent at agentPath?",
                    {{"agentPath", context_->config->agent_path}});
                // Best effort: four bytes the channel cannot take right now
                // are dropped rather than stalling the stream.
                session_host().write_output(stream, pid_bytes_);
            }
        }
        if (data.empty()) return consumed;
    }
    return consumed + session_host().write_output(stream, data);
}

size_t DockerSession::stdin_data(std::string_view data) {
    if (phase_ == Phase::running && stream_ && early_input_.empty()) {
        return stream_->write_input(data);
    }
    if (phase_ == Phase::ending || phase_ == Phase::closed) return data.size();
    const size_t room = early_input_.size() >= AttachedStream::kInputLimit
                            ? 0
                            : AttachedStream::kInputLimit - early_input_.size();
    const size_t take = std::min(room, data.size());
    early_input_.append(data.substr(0, take));
    if (take < data.size()) early_input_refused_ = true;
    return take;
}

void DockerSession::stdin_eof() {
    // A terminal has no half-close: like sshd, keep the program's terminal
    // open (closing it would hang the program up before its output is read).
    if (pty_) return;
    stdin_eof_ = true;
    push_early_input();
}

void DockerSession::output_ready() {
    if (stream_) stream_->resume_output();
}

void DockerSession::resize(uint32_t rows, uint32_t columns, std::function<void(bool)> done) {
    const DockerConfig& config = *context_->config;
    log(codes::DOCKER_EXEC_RESIZE, "resizing the terminal",
        {{"rows", std::to_string(rows)}, {"columns", std::to_string(columns)}});
    auto weak = weak_self<DockerSession>();
    auto finished = [weak, done = std::move(done)](EngineResult r) {
        auto self = weak.lock();
        if (self && !r.ok()) self->log(codes::DOCKER_EXEC_RESIZE_FAILED, r.error);
        done(r.ok());
    };
    if (session_mode_) {
        context_->engine->resize_container(context_->site(), container_, rows, columns, config.timeouts.window,
                                           std::move(finished));
    } else {
        context_->engine->resize_exec(context_->site(), exec_id_, rows, columns, config.timeouts.window,
                                      std::move(finished));
    }
}

void DockerSession::window_change(const csh::sdk::WindowSize& size, StatusCompletion done) {
    if (phase_ != Phase::running) {
        // Before the program starts the size is remembered for it.
        if (pty_) {
            pty_->rows = size.rows;
            pty_->columns = size.columns;
        }
        done.ok();
        return;
    }
    auto reply = share(std::move(done));
    resize(size.rows, size.columns, [reply](bool ok) {
        if (ok) {
            reply->ok();
        } else {
            reply->fail("resize failed");
        }
    });
}

void DockerSession::signal(std::string_view name, StatusCompletion done) {
    const std::string signal(name);
    if (csh::sdk::ssh_signal_number(signal) == 0) {
        done.fail("unknown signal");
        return;
    }
    if (phase_ != Phase::running) {
        log(codes::DOCKER_SIGNAL_FAILED_NO_PID, "no program is running to receive the signal", {{"signal", signal}});
        done.fail("no program running");
        return;
    }
    auto reply = share(std::move(done));
    auto weak = weak_self<DockerSession>();
    const DockerConfig& config = *context_->config;
    if (session_mode_) {
        log(codes::DOCKER_CONTAINER_SIGNAL, "sending the signal to the container", {{"signal", signal}});
        // Set before the call: the program may end (and its exit code be
        // read) before the engine answers the kill.
        delivered_signal_ = signal;
        context_->engine->kill_container(context_->site(), container_, signal, config.timeouts.signal,
                                         [weak, reply, signal](EngineResult r) {
                                             auto self = weak.lock();
                                             if (!self) return reply->fail("session closed");
                                             if (!r.ok()) {
                                                 self->log(codes::DOCKER_CONTAINER_SIGNAL_FAILED, r.error,
                                                           {{"signal", signal}});
                                                 return reply->fail("signal failed");
                                             }
                                             reply->ok();
                                         });
        return;
    }
    if (config.disable_agent) {
        log(codes::DOCKER_EXEC_SIGNAL_FAILED_NO_AGENT, "signals need the guest agent", {{"signal", signal}});
        reply->fail("signals need the guest agent");
        return;
    }
    if (pid_ == 0) {
        log(codes::DOCKER_SIGNAL_FAILED_NO_PID, "the program's process id is not known yet", {{"signal", signal}});
        reply->fail("process id unknown");
        return;
    }
    log(codes::DOCKER_EXEC_SIGNAL, "delivering the signal through the guest agent",
        {{"signal", signal}, {"pid", std::to_string(pid_)}});
    delivered_signal_ = signal;
    run_helper(context_, container_,
               {config.agent_path, "signal", "--pid", std::to_string(pid_), "--signal", signal}, {},
               config.timeouts.signal, [weak, reply, signal](int64_t exit_code, const std::string& error) {
                   auto self = weak.lock();
                   if (!self) return reply->fail("session closed");
                   if (exit_code != 0) {
                       self->log(codes::DOCKER_EXEC_SIGNAL_FAILED,
                                 "the agent could not deliver the signal" + (error.empty() ? "" : ": " + error),
                                 {{"signal", signal}, {"exitCode", std::to_string(exit_code)}});
                       return reply->fail("signal failed");
                   }
                   self->log(codes::DOCKER_EXEC_SIGNAL_SUCCESSFUL, "the signal was delivered", {{"signal", signal}});
                   reply->ok();
               });
}

void DockerSession::program_ended(const std::string& stream_error) {
    if (phase_ != Phase::running) return;
    phase_ = Phase::ending;
    stream_.reset();
    if (!stream_error.empty()) log(codes::DOCKER_STREAM_OUTPUT_FAILED, stream_error);
    if (expect_pid_ && pid_bytes_.size() < 4 && pid_ == 0) {
        log(codes::DOCKER_EXEC_PID_READ_FAILED, "the program's output ended before the guest agent sent its process id",
            {{"agentPath", context_->config->agent_path}});
    }
    ask_exit_code();
}

void DockerSession::ask_exit_code() {
    if (phase_ == Phase::closed) return;
    log(codes::DOCKER_EXIT_CODE, "fetching the program's exit code");
    auto weak = weak_self<DockerSession>();
    auto answered = [weak](EngineResult r, ProgramState state) {
        auto self = weak.lock();
        if (!self) return;
        if (!r.ok()) {
            self->log(codes::DOCKER_EXIT_CODE_FAILED, r.error);
            return self->end_with_message("The container engine is not available; the session ends.");
        }
        if (state.restarting) {
            self->log(codes::DOCKER_EXIT_CODE_CONTAINER_RESTARTING, "the container is restarting");
            return self->end_with_message("The container restarted; the session ends.");
        }
        if (state.running) return self->ask_exit_code_again();
        self->report_exit(state.exit_code);
    };
    if (session_mode_) {
        context_->engine->inspect_container(context_->site(), container_, std::move(answered));
    } else {
        context_->engine->inspect_exec(context_->site(), exec_id_, std::move(answered));
    }
}

void DockerSession::ask_exit_code_again() {
    // Streams end a moment before the engine records the exit; ask again for
    // a while (commandStart bounds it).
    const auto interval = std::chrono::milliseconds(50);
    if (++exit_code_polls_ * interval >= context_->config->timeouts.command_start) {
        return end_with_message("The container engine did not report how the program ended.");
    }
    log(codes::DOCKER_EXIT_CODE_STILL_RUNNING, "the program is still running; asking again");
    context_->host.run_after(context_->strand, interval,
                               [weak = weak_self<DockerSession>(), pending = context_->work->hold()] {
                                   if (auto self = weak.lock()) self->ask_exit_code();
                               });
}

void DockerSession::report_exit(int64_t exit_code) {
    if (exit_code < 0) {
        log(codes::DOCKER_EXIT_CODE_NEGATIVE, "the engine reported a negative exit code",
            {{"exitCode", std::to_string(exit_code)}});
        return finish();
    }
    // A program killed by a signal we delivered exits with 128+N: report
    // the signal, as OpenSSH would.
    if (!delivered_signal_.empty() && exit_code == 128 + csh::sdk::ssh_signal_number(delivered_signal_)) {
        session_host().exit_signal(delivered_signal_, false);
    } else {
        session_host().exit_status(static_cast<uint32_t>(exit_code));
    }
    finish();
}

void DockerSession::end_with_message(const std::string& message) {
    session_host().write_output(CSH_STREAM_STDERR, message + "\r\n");
    finish();
}

void DockerSession::finish() {
    if (phase_ == Phase::closed) return;
    phase_ = Phase::ending;
    session_host().finished();
}

void DockerSession::remove_own_container() {
    if (!session_mode_ || container_.empty()) return;
    const std::string id = std::exchange(container_, std::string());
    auto keep = self<DockerSession>();
    remove_container(context_, id, [keep] {});
}

void DockerSession::close() {
    const Phase before = phase_;
    phase_ = Phase::closed;
    if (stream_) {
        stream_->close();
        stream_.reset();
    }
    if (session_mode_) {
        // The container is the session: it goes with the channel (a start in
        // progress removes what it made when it notices the close).
        if (before != Phase::starting) remove_own_container();
        return;
    }
    if (before == Phase::running && pid_ != 0 && !context_->config->disable_agent) {
        // The client left while its program runs: end the program, the
        // container stays for the connection's other sessions.
        run_helper(context_, container_,
                   {context_->config->agent_path, "signal", "--pid", std::to_string(pid_), "--signal", "KILL"}, {},
                   context_->config->timeouts.signal, [](int64_t, const std::string&) {});
    }
}

}  // namespace backend_docker
