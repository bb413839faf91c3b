#include "docker_session.hpp"

#include "container_lifecycle.hpp"
#include "messages.hpp"
#include <csh/program/program_line.hpp>
#include <csh/agent/agent_protocol.hpp>
#include <containerssh/sdk/signal_names.hpp>

namespace backend_docker {

using csh::sdk::StatusCompletion;

DockerSession::DockerSession(std::shared_ptr<const ConnectionContext> context, const csh::sdk::SessionParams& params,
                             std::string container)
    : ProgramSession(context->host, params),
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

void DockerSession::refused_after_start(std::string_view request) const {
    log(codes::DOCKER_PROGRAM_ALREADY_RUNNING, "the program is already running; request refused",
        {{"request", request}});
}

bool DockerSession::offers(const csh::sdk::Program& program) const {
    if (program.kind != csh::sdk::ProgramKind::subsystem) return true;
    if (context_->config->subsystems.count(program.command) != 0) return true;
    log(codes::DOCKER_SUBSYSTEM_NOT_SUPPORTED, "the subsystem is not configured", {{"subsystem", program.command}});
    return false;
}

void DockerSession::start(const csh::sdk::Program& program, csh::sdk::StartCompletion done) {
    std::vector<std::string> argv;
    switch (program.kind) {
        case csh::sdk::ProgramKind::exec:
            argv = csh::program::program_for_exec(program.command);
            break;
        case csh::sdk::ProgramKind::shell:
            argv = context_->config->shell_command;
            break;
        case csh::sdk::ProgramKind::subsystem:
            argv = {context_->config->subsystems.at(program.command)};
            break;
    }
    auto reply = std::make_shared<csh::sdk::StartCompletion>(std::move(done));
    if (session_mode_) {
        start_session_container(std::move(argv), std::move(reply));
    } else {
        start_exec(std::move(argv), std::move(reply));
    }
}

bool DockerSession::awaits_terminal_size() const {
    return terminal() && terminal()->rows > 0 && terminal()->columns > 0 && !context_->config->disable_agent;
}

std::vector<std::string> DockerSession::program_environment() const {
    // The client's variables first, so the operator's (metadata) win.
    std::vector<std::string> environment;
    for (const auto& [name, value] : ProgramSession::environment()) environment.push_back(name + "=" + value);
    if (terminal() && !terminal()->term.empty()) environment.push_back("TERM=" + terminal()->term);
    environment.insert(environment.end(), context_->environment.begin(), context_->environment.end());
    for (const auto& [name, value] : forwarding_environment()) environment.push_back(name + "=" + value);
    // The terminal is sized right after the program's start: our agent
    // waits for that, so the program never starts on a 0x0 terminal.
    if (awaits_terminal_size()) {
        environment.push_back(std::string(csh::agent::kAwaitTerminalSizeVariable) + "=1");
    }
    return environment;
}

void DockerSession::start_exec(std::vector<std::string> program, Reply reply) {
    const DockerConfig& config = *context_->config;
    std::vector<std::string> command;
    const bool tty = terminal().has_value();
    const std::vector<std::string> environment = program_environment();
    if (!config.disable_agent) {
        command = {config.agent_path, "console", "--pid", "--"};
        expect_pid_ = true;
    }
    command.insert(command.end(), program.begin(), program.end());
    log(codes::DOCKER_EXEC_CREATE, "creating an exec", {{"program", program.front()}});
    auto weak = weak_self<DockerSession>();
    context_->engine->create_exec(
        context_->site(), container_, exec_create_body(command, environment, tty, true),
        config.timeouts.command_start, [weak, reply, tty](EngineResult r, std::string exec_id) {
            auto self = weak.lock();
            if (!self || self->phase() != Phase::starting) return reply->fail("session closed");
            if (!r.ok()) {
                self->log(codes::DOCKER_EXEC_CREATE_FAILED, r.error);
                return reply->fail("the program could not be started");
            }
            self->exec_id_ = exec_id;
            self->log(codes::DOCKER_EXEC_ATTACH, "starting the exec", {{"execId", exec_id}});
            self->context_->engine->start_exec(
                self->context_->site(), exec_id, tty, self->context_->config->timeouts.command_start,
                [weak, reply](EngineResult r, csh::loop_http::HttpResponse response) {
                    auto self = weak.lock();
                    if (!self || self->phase() != Phase::starting) return reply->fail("session closed");
                    if (!r.ok()) {
                        self->log(codes::DOCKER_EXEC_ATTACH_FAILED, r.error, {{"execId", self->exec_id_}});
                        return reply->fail("the program could not be started");
                    }
                    self->attach(std::move(response));
                    reply->ok();
                });
        });
}

void DockerSession::start_session_container(std::vector<std::string> program, Reply reply) {
    // Strong references: a close during the start must still find the
    // container to remove it.
    auto weak = self<DockerSession>();
    // Any failure before the program runs: tell the user on stderr, refuse
    // the request and remove what was made.
    auto failed = [weak, reply](const std::string& user_error) {
        auto self = weak;
        if (self->phase() != Phase::starting) {
            reply->fail(user_error);
        } else {
            // A refused request shows the client nothing but "request
            // failed"; accepting it lets the user read why, and the session
            // ends with status 127 (the program did not run).
            reply->ok();
            self->program_exited(csh::sdk::ProgramExit::with_status(127).telling(user_error));
            self->output_ended();
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
    spec.tty = terminal().has_value();
    spec.attach_stdin = true;
    spec.default_init = true;
    ensure_image(context_, [weak, reply, failed, spec](const std::string& error) {
        auto self = weak;
        if (!self || self->phase() != Phase::starting) return reply->fail("session closed");
        if (!error.empty()) return failed(error);
        create_container(self->context_, spec, [weak, reply, failed](const std::string& id, const std::string& error) {
            auto self = weak;
            if (!error.empty()) return failed(error);
            if (!self || self->phase() != Phase::starting) {
                // Closed while creating: the container must not stay behind.
                if (self) self->container_ = id;
                if (self) self->remove_own_container();
                return reply->fail("session closed");
            }
            self->container_ = id;
            self->log(codes::DOCKER_CONTAINER_ATTACH, "attaching to the container");
            self->context_->engine->attach_container(
                self->context_->site(), id, self->context_->config->timeouts.container_start,
                [weak, reply, failed](EngineResult r, csh::loop_http::HttpResponse response) {
                    auto self = weak;
                    if (!self || self->phase() != Phase::starting) {
                        if (self) self->remove_own_container();
                        return reply->fail("session closed");
                    }
                    if (!r.ok()) {
                        self->log(codes::DOCKER_CONTAINER_ATTACH_FAILED, r.error);
                        return failed("The container could not be attached.");
                    }
                    auto attached = std::make_shared<csh::loop_http::HttpResponse>(std::move(response));
                    start_container(self->context_, self->container_,
                                    [weak, reply, failed, attached](const std::string& error) {
                                        auto self = weak;
                                        if (!self || self->phase() != Phase::starting) {
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

void DockerSession::attach(csh::loop_http::HttpResponse response) {
    auto weak = weak_self<DockerSession>();
    AttachedStream::Callbacks callbacks;
    callbacks.output = [weak](csh_stream stream, std::string_view data) -> size_t {
        auto self = weak.lock();
        return self ? self->take_output(stream, data) : data.size();
    };
    callbacks.input_ready = [weak] {
        if (auto self = weak.lock()) self->input_ready();
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
    stream_ = AttachedStream::start(context_->host, context_->strand, std::move(response), !terminal().has_value(),
                                    std::move(callbacks));
    if (terminal() && terminal()->rows > 0 && terminal()->columns > 0) {
        resize_terminal(terminal()->rows, terminal()->columns, [](bool) {});
    }
}

size_t DockerSession::take_output(csh_stream stream, std::string_view data) {
    size_t consumed = 0;
    if (expect_pid_ && stream == CSH_STREAM_STDOUT) {
        consumed = pid_reader_.take(data);
        data.remove_prefix(consumed);
        if (pid_reader_.state() == csh::backend_support::AgentPidReader::State::not_agent) {
            expect_pid_ = false;
            // Not the agent talking (e.g. the runtime's "OCI runtime exec
            // failed" when the image has no agent): those bytes are output.
            log(codes::DOCKER_AGENT_READ_FAILED,
                "the program's first output is not a process id from the guest agent; is the agent at agentPath?",
                {{"agentPath", context_->config->agent_path}});
            // Best effort: four bytes the channel cannot take right now
            // are dropped rather than stalling the stream.
            deliver_output(stream, pid_reader_.bytes());
        } else if (pid_reader_.state() == csh::backend_support::AgentPidReader::State::received) {
            expect_pid_ = false;
            pid_ = pid_reader_.pid();
        }
        if (data.empty()) return consumed;
    }
    return consumed + deliver_output(stream, data);
}

size_t DockerSession::write_input(std::string_view data) {
    return stream_ ? stream_->write_input(data) : data.size();  // no stream: the program is gone
}

void DockerSession::close_input() {
    if (stream_) stream_->close_input();
}

void DockerSession::resume_output() {
    if (stream_) stream_->resume_output();
}

void DockerSession::resize_terminal(uint32_t rows, uint32_t columns, std::function<void(bool)> done) {
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

void DockerSession::resize(const csh::sdk::WindowSize& size, StatusCompletion done) {
    auto reply = std::make_shared<StatusCompletion>(std::move(done));
    resize_terminal(size.rows, size.columns, [reply](bool ok) {
        if (ok) {
            reply->ok();
        } else {
            reply->fail("resize failed");
        }
    });
}

void DockerSession::deliver_signal(std::string_view name, StatusCompletion done) {
    const std::string signal(name);
    if (csh::sdk::ssh_signal_number(signal) == 0) {
        done.fail("unknown signal");
        return;
    }
    auto reply = std::make_shared<StatusCompletion>(std::move(done));
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

// Every byte the stream read was delivered; the exit code comes from the engine.
void DockerSession::program_ended(const std::string& stream_error) {
    if (phase() != Phase::running || !stream_) return;
    stream_.reset();
    output_ended();
    if (!stream_error.empty()) log(codes::DOCKER_STREAM_OUTPUT_FAILED, stream_error);
    if (expect_pid_ && pid_reader_.reading()) {
        log(codes::DOCKER_EXEC_PID_READ_FAILED, "the program's output ended before the guest agent sent its process id",
            {{"agentPath", context_->config->agent_path}});
    }
    ask_exit_code();
}

void DockerSession::ask_exit_code() {
    if (phase() == Phase::closed) return;
    log(codes::DOCKER_EXIT_CODE, "fetching the program's exit code");
    auto weak = weak_self<DockerSession>();
    auto answered = [weak](EngineResult r, ProgramState state) {
        auto self = weak.lock();
        if (!self) return;
        if (!r.ok()) {
            self->log(codes::DOCKER_EXIT_CODE_FAILED, r.error);
            return self->program_exited(
                csh::sdk::ProgramExit::unknown("The container engine is not available; the session ends."));
        }
        if (state.restarting) {
            self->log(codes::DOCKER_EXIT_CODE_CONTAINER_RESTARTING, "the container is restarting");
            return self->program_exited(csh::sdk::ProgramExit::unknown("The container restarted; the session ends."));
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
        return program_exited(
            csh::sdk::ProgramExit::unknown("The container engine did not report how the program ended."));
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
        return program_exited(csh::sdk::ProgramExit::unknown());
    }
    // A program killed by a signal we delivered exits with 128+N: report
    // the signal, as OpenSSH would.
    if (!delivered_signal_.empty() && exit_code == 128 + csh::sdk::ssh_signal_number(delivered_signal_)) {
        return program_exited(csh::sdk::ProgramExit::with_signal(delivered_signal_));
    }
    program_exited(csh::sdk::ProgramExit::with_status(static_cast<uint32_t>(exit_code)));
}

void DockerSession::remove_own_container() {
    if (!session_mode_ || container_.empty()) return;
    const std::string id = std::exchange(container_, std::string());
    auto keep = self<DockerSession>();
    remove_container(context_, id, [keep] {});
}

void DockerSession::stop(Phase before) {
    const bool program_streaming = stream_ != nullptr;
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
    if (before == Phase::running && program_streaming && pid_ != 0 && !context_->config->disable_agent) {
        // The client left while its program runs: end the program, the
        // container stays for the connection's other sessions.
        run_helper(context_, container_,
                   {context_->config->agent_path, "signal", "--pid", std::to_string(pid_), "--signal", "KILL"}, {},
                   context_->config->timeouts.signal, [](int64_t, const std::string&) {});
    }
}

}  // namespace backend_docker
