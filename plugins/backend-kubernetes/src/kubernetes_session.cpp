#include "kubernetes_session.hpp"

#include "manifests.hpp"
#include "messages.hpp"

#include <containerssh/sdk/signal_names.hpp>
#include <csh/agent/agent_protocol.hpp>

namespace backend_kubernetes {

using csh::sdk::StatusCompletion;

KubernetesSession::KubernetesSession(std::shared_ptr<const ConnectionContext> context,
                                     const csh::sdk::SessionParams& params, PodRef pod)
    : ProgramSession(context->host, params),
      context_(std::move(context)),
      channel_label_(std::to_string(params.channel_id())),
      pod_(std::move(pod)) {}

KubernetesSession::~KubernetesSession() = default;

bool KubernetesSession::session_mode() const { return context_->config->pod.mode == ExecutionMode::session; }

void KubernetesSession::log(const char* code, const std::string& message,
                            std::initializer_list<csh::sdk::LogField> fields) const {
    std::vector<csh::sdk::LogField> all(fields);
    all.push_back({"channelId", channel_label_});
    if (!pod_.empty()) {
        all.push_back({"pod", pod_.name});
        all.push_back({"namespace", pod_.namespace_});
    }
    context_->host.log(code, message, all, context_->connection);
}

void KubernetesSession::refused_after_start(std::string_view request) const {
    log(codes::KUBERNETES_PROGRAM_ALREADY_RUNNING, "the program is already running; request refused",
        {{"request", request}});
}

bool KubernetesSession::offers(const csh::sdk::Program& program) const {
    if (program.kind == csh::sdk::ProgramKind::exec && context_->config->exec_disabled) {
        log(codes::KUBERUN_EXEC_DISABLED, "command execution is disabled (kuberun pod.disableCommand)");
        return false;
    }
    if (program.kind != csh::sdk::ProgramKind::subsystem) return true;
    if (context_->config->pod.subsystems.count(program.command) != 0) return true;
    log(codes::KUBERNETES_SUBSYSTEM_NOT_SUPPORTED, "the subsystem is not configured", {{"subsystem", program.command}});
    return false;
}

std::vector<std::pair<std::string, std::string>> KubernetesSession::program_environment() const {
    // The client's variables first, so the operator's (metadata) win.
    std::vector<std::pair<std::string, std::string>> environment(ProgramSession::environment().begin(),
                                                                 ProgramSession::environment().end());
    if (terminal() && !terminal()->term.empty()) environment.emplace_back("TERM", terminal()->term);
    environment.insert(environment.end(), context_->environment.begin(), context_->environment.end());
    environment.insert(environment.end(), forwarding_environment().begin(), forwarding_environment().end());
    // The terminal is sized right after the stream opens: our agent waits
    // for that, so the program never starts on a 0x0 terminal.
    if (terminal() && terminal()->rows > 0 && terminal()->columns > 0 && !context_->config->pod.disable_agent) {
        environment.emplace_back(csh::agent::kAwaitTerminalSizeVariable, "1");
    }
    return environment;
}

void KubernetesSession::start(const csh::sdk::Program& program, csh::sdk::StartCompletion done) {
    const PodSettings& settings = context_->config->pod;
    const ProgramRequest kind = program.kind == csh::sdk::ProgramKind::exec    ? ProgramRequest::exec
                                : program.kind == csh::sdk::ProgramKind::shell ? ProgramRequest::shell
                                                                               : ProgramRequest::subsystem;
    auto argv = program_for(kind, program.command, settings);
    if (!argv || argv->empty()) {
        done.fail("the program is not configured");
        return;
    }
    auto reply = std::make_shared<csh::sdk::StartCompletion>(std::move(done));
    if (session_mode()) return start_session_pod(std::move(*argv), std::move(reply));

    const ConsoleCommand console = exec_console_command(settings, *argv, program_environment());
    if (console.log_code != nullptr) {
        std::string names;
        for (const std::string& name : console.dropped_env) names += (names.empty() ? "" : ",") + name;
        log(console.log_code, "environment variables the exec cannot pass were left out", {{"variables", names}});
    }
    expect_pid_ = console.reports_pid;
    ExecRequest request;
    request.tty = terminal().has_value();
    request.target =
        context_->api->exec_target(pod_.namespace_, pod_.name, pod_.container, console.argv, true, request.tty);
    request.timeout = context_->config->timeouts.command_start;
    log(codes::KUBERNETES_EXEC_CREATE, "starting the program with an exec", {{"program", argv->front()}});
    open_stream(std::move(request), std::move(reply), false);
}

void KubernetesSession::open_stream(ExecRequest request, Reply reply, bool send_start_byte) {
    auto weak = weak_self<KubernetesSession>();
    ExecStream::Callbacks callbacks;
    callbacks.output = [weak](csh_stream stream, std::string_view data) -> size_t {
        auto self = weak.lock();
        return self ? self->take_output(stream, data) : data.size();
    };
    callbacks.input_ready = [weak] {
        if (auto self = weak.lock()) self->input_ready();
    };
    callbacks.ended = [weak](const ExecEnd& end) {
        if (auto self = weak.lock()) self->program_ended(end);
    };
    callbacks.input_failed = [weak](bool closing, const std::string& error) {
        if (auto self = weak.lock()) {
            self->log(closing ? codes::KUBERNETES_CLOSE_INPUT_FAILED : codes::KUBERNETES_STREAM_INPUT_FAILED, error);
        }
    };
    context_->api->when_allowed(context_->strand, [weak, reply, send_start_byte, request = std::move(request),
                                                   callbacks = std::move(callbacks)]() mutable {
        auto self = weak.lock();
        if (!self || self->phase() != Phase::starting) return reply->fail("session closed");
        request.headers = self->context_->api->request_headers();
        self->log(send_start_byte ? codes::KUBERNETES_POD_ATTACH : codes::KUBERNETES_EXEC_ATTACH,
                  send_start_byte ? "attaching to the pod" : "opening the exec stream");
        ExecStream::open(
            self->context_->host, self->context_->strand, self->context_->api->access().connector, std::move(request),
            std::move(callbacks),
            [weak, reply, send_start_byte](std::shared_ptr<ExecStream> stream, int status, const std::string& error) {
                auto self = weak.lock();
                if (!self || self->phase() != Phase::starting) {
                    if (stream) stream->close();
                    return reply->fail("session closed");
                }
                if (!stream) {
                    self->log(send_start_byte ? codes::KUBERNETES_POD_ATTACH_FAILED
                                              : codes::KUBERNETES_EXEC_CREATE_FAILED,
                              error, {{"status", std::to_string(status)}});
                    if (send_start_byte) self->remove_own_pod();
                    return reply->fail("the program could not be started");
                }
                self->log(codes::KUBERNETES_EXEC_PROTOCOL, "the stream is open",
                          {{"protocol", std::string(stream->protocol())}});
                self->stream_ = std::move(stream);
                if (self->terminal() && self->terminal()->rows > 0 && self->terminal()->columns > 0) {
                    self->stream_->resize(static_cast<uint16_t>(self->terminal()->columns),
                                          static_cast<uint16_t>(self->terminal()->rows));
                }
                // The agent in a session pod holds the program until this
                // byte: the attach is in place, no output is lost.
                if (send_start_byte) self->stream_->write_input(std::string_view("\n", 1));
                reply->ok();
            });
    });
}

void KubernetesSession::start_session_pod(std::vector<std::string> program, Reply reply) {
    auto weak = self<KubernetesSession>();
    const bool tty = terminal().has_value();
    const ConsoleCommand console = session_console_command(context_->config->pod, program);
    expect_pid_ = console.reports_pid;
    const bool start_byte = console.waits_for_start_byte;
    const std::string manifest = session_manifest(*context_, console, program_environment(), tty);
    start_pod(context_, manifest, [weak, reply, tty, start_byte](const PodRef& pod, const std::string& error) {
        auto self = weak;
        if (!error.empty()) {
            if (self->phase() != Phase::starting) return reply->fail(error);
            // A refused request shows the client only "request failed":
            // accepting it lets the user read why; the session ends with 127.
            reply->ok();
            self->program_exited(csh::sdk::ProgramExit::with_status(127).telling(error));
            self->output_ended();
            return;
        }
        self->pod_ = pod;
        if (self->phase() != Phase::starting) {
            self->remove_own_pod();
            return reply->fail("session closed");
        }
        // The metadata's files go into each session's pod while the agent
        // still holds the program back, as ContainerSSH does.
        write_files(self->context_, pod, [weak, reply, tty, start_byte, pod] {
            auto self = weak;
            if (self->phase() != Phase::starting) {
                self->remove_own_pod();
                return reply->fail("session closed");
            }
            ExecRequest request;
            request.tty = tty;
            request.target = self->context_->api->exec_target(pod.namespace_, pod.name, pod.container, {}, true, tty);
            request.timeout = self->context_->config->timeouts.command_start;
            self->open_stream(std::move(request), reply, start_byte);
        });
    });
}

size_t KubernetesSession::take_output(csh_stream stream, std::string_view data) {
    size_t consumed = 0;
    if (expect_pid_ && stream == CSH_STREAM_STDOUT) {
        consumed = pid_reader_.take(data);
        data.remove_prefix(consumed);
        using State = csh::backend_support::AgentPidReader::State;
        if (pid_reader_.state() == State::not_agent) {
            expect_pid_ = false;
            log(codes::KUBERNETES_AGENT_READ_FAILED,
                "the program's first output is not a process id from the guest agent; is the agent at agentPath?",
                {{"agentPath", context_->config->pod.agent_path}});
            deliver_output(stream, pid_reader_.bytes());
        } else if (pid_reader_.state() == State::received) {
            expect_pid_ = false;
            pid_ = pid_reader_.pid();
            log(codes::KUBERNETES_PID_RECEIVED, "the guest agent reported the program's process id",
                {{"pid", std::to_string(pid_)}});
        }
        if (data.empty()) return consumed;
    }
    return consumed + deliver_output(stream, data);
}

size_t KubernetesSession::write_input(std::string_view data) {
    return stream_ ? stream_->write_input(data) : data.size();
}

void KubernetesSession::close_input() {
    if (stream_) stream_->close_input();
}

void KubernetesSession::resume_output() {
    if (stream_) stream_->resume_output();
}

void KubernetesSession::resize(const csh::sdk::WindowSize& size, StatusCompletion done) {
    if (!stream_) {
        log(codes::KUBERNETES_PROGRAM_NOT_RUNNING, "no program runs to resize the terminal of");
        done.fail("no program runs");
        return;
    }
    log(codes::KUBERNETES_EXEC_RESIZE, "resizing the terminal",
        {{"rows", std::to_string(size.rows)}, {"columns", std::to_string(size.columns)}});
    stream_->resize(static_cast<uint16_t>(size.columns), static_cast<uint16_t>(size.rows));
    done.ok();
}

void KubernetesSession::deliver_signal(std::string_view name, StatusCompletion done) {
    const std::string signal(name);
    if (csh::sdk::ssh_signal_number(signal) == 0) {
        done.fail("unknown signal");
        return;
    }
    if (context_->config->pod.disable_agent) {
        log(codes::KUBERNETES_EXEC_SIGNAL_FAILED_NO_AGENT, "signals need the guest agent", {{"signal", signal}});
        done.fail("signals need the guest agent");
        return;
    }
    if (!stream_) {
        log(codes::KUBERNETES_SIGNAL_FAILED_EXITED, "the program already ended", {{"signal", signal}});
        done.fail("the program already ended");
        return;
    }
    if (pid_ == 0) {
        log(codes::KUBERNETES_SIGNAL_FAILED_NO_PID, "the program's process id is not known yet", {{"signal", signal}});
        done.fail("process id unknown");
        return;
    }
    log(session_mode() ? codes::KUBERNETES_POD_SIGNAL : codes::KUBERNETES_EXEC_SIGNAL,
        "delivering the signal through the guest agent", {{"signal", signal}, {"pid", std::to_string(pid_)}});
    delivered_signal_ = signal;
    auto reply = std::make_shared<StatusCompletion>(std::move(done));
    auto weak = weak_self<KubernetesSession>();
    const PodSettings& settings = context_->config->pod;
    run_helper(context_, pod_, {settings.agent_path, "signal", "--pid", std::to_string(pid_), "--signal", signal}, {},
               context_->config->timeouts.signal, [weak, reply, signal](int64_t exit_code, const std::string& error) {
                   auto self = weak.lock();
                   if (!self) return reply->fail("session closed");
                   if (exit_code != 0) {
                       self->log(self->session_mode() ? codes::KUBERNETES_POD_SIGNAL_FAILED
                                                      : codes::KUBERNETES_EXEC_SIGNAL_FAILED,
                                 "the agent could not deliver the signal" + (error.empty() ? "" : ": " + error),
                                 {{"signal", signal}, {"exitCode", std::to_string(exit_code)}});
                       return reply->fail("signal failed");
                   }
                   self->log(codes::KUBERNETES_EXEC_SIGNAL_SUCCESSFUL, "the signal was delivered", {{"signal", signal}});
                   reply->ok();
               });
}

void KubernetesSession::program_ended(const ExecEnd& end) {
    if (phase() != Phase::running || !stream_) return;
    release_later(context_->host, context_->strand, std::exchange(stream_, nullptr));
    output_ended();
    if (expect_pid_ && pid_reader_.reading()) {
        log(codes::KUBERNETES_EXEC_PID_READ_FAILED,
            "the program's output ended before the guest agent sent its process id",
            {{"agentPath", context_->config->pod.agent_path}});
    }
    log(codes::KUBERNETES_EXIT_CODE, "the program's stream ended; reading its exit code");
    // An attach reports how the attachment ended, not the program: the
    // console container's status carries its exit code.
    if (session_mode()) return ask_pod_exit_code(0);
    // A program killed by a signal nobody here sent, or a stream that ended
    // without a status, is what a pod deleted from outside looks like: ask
    // whether the pod is still there, so the user and the log learn why.
    const bool killed = end.exit_code && *end.exit_code >= 128 && delivered_signal_.empty();
    if (end.exit_code && !killed) return report_exit(*end.exit_code);
    judge_lost_program(end.exit_code, end.error);
}

// The pod went while its program ran, and not through this gateway (it
// deletes a pod only after its sessions ended): the user learns why the
// program ended, with its status when one is known.
void KubernetesSession::pod_gone(std::optional<int64_t> exit_code) {
    log(codes::KUBERNETES_POD_GONE, "the pod was deleted from outside the gateway while the program ran");
    const std::string message = "The pod was deleted; the session ends.";
    if (exit_code && *exit_code >= 0) {
        return program_exited(csh::sdk::ProgramExit::with_status(static_cast<uint32_t>(*exit_code)).telling(message));
    }
    program_exited(csh::sdk::ProgramExit::unknown(message));
}

void KubernetesSession::judge_lost_program(std::optional<int64_t> exit_code, std::string error) {
    auto weak = weak_self<KubernetesSession>();
    context_->api->get_pod(context_->site(), pod_.namespace_, pod_.name,
                           [weak, exit_code, error = std::move(error)](ApiResult r, PodView view) {
                               auto self = weak.lock();
                               if (!self || self->phase() == Phase::closed) return;
                               if (r.status == 404 || (r.ok() && view.deleting)) return self->pod_gone(exit_code);
                               if (exit_code) return self->report_exit(*exit_code);
                               self->log(codes::KUBERNETES_EXIT_CODE_FAILED,
                                         error.empty() ? "the stream ended without an exit status" : error);
                               self->program_exited(csh::sdk::ProgramExit::unknown(
                                   "The connection to the pod was lost; the session ends."));
                           });
}

void KubernetesSession::ask_pod_exit_code(int attempt) {
    if (phase() == Phase::closed) return;
    auto weak = weak_self<KubernetesSession>();
    context_->api->get_pod(context_->site(), pod_.namespace_, pod_.name, [weak, attempt](ApiResult r, PodView view) {
        auto self = weak.lock();
        if (!self) return;
        if (!r.ok()) {
            if (r.status == 404) return self->pod_gone(std::nullopt);
            self->log(codes::KUBERNETES_EXIT_CODE_FAILED, r.error);
            return self->program_exited(
                csh::sdk::ProgramExit::unknown("The Kubernetes API server is not available; the session ends."));
        }
        const ContainerView* console = view.container(self->pod_.container);
        if (console != nullptr && console->terminated) {
            // Terminated by a deletion this gateway did not ask for (it
            // deletes a session's pod only after reporting its end).
            if (view.deleting && self->delivered_signal_.empty()) return self->pod_gone(console->exit_code);
            return self->report_exit(console->exit_code);
        }
        if (view.deleting) return self->pod_gone(std::nullopt);
        const auto interval = std::chrono::milliseconds(100);
        if ((attempt + 1) * interval >= self->context_->config->timeouts.command_start) {
            return self->program_exited(
                csh::sdk::ProgramExit::unknown("Kubernetes did not report how the program ended."));
        }
        self->log(codes::KUBERNETES_EXIT_CODE_STILL_RUNNING, "the program is still running; asking again");
        self->context_->host.run_after(self->context_->strand, interval,
                                       [weak, attempt, hold = self->context_->work->hold()] {
                                           if (auto self = weak.lock()) self->ask_pod_exit_code(attempt + 1);
                                       });
    });
}

void KubernetesSession::report_exit(int64_t exit_code) {
    if (exit_code < 0) {
        log(codes::KUBERNETES_EXIT_CODE_NEGATIVE, "Kubernetes reported a negative exit code",
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

void KubernetesSession::remove_own_pod() {
    if (!session_mode() || pod_.empty()) return;
    const PodRef pod = std::exchange(pod_, PodRef{});
    auto keep = self<KubernetesSession>();
    remove_pod(context_, pod, [keep] {});
}

void KubernetesSession::stop(Phase before) {
    const bool program_streaming = stream_ != nullptr;
    if (stream_) {
        stream_->close();
        stream_.reset();
    }
    if (session_mode()) {
        if (before != Phase::starting) remove_own_pod();
        return;
    }
    if (before == Phase::running && program_streaming && pid_ != 0 && !context_->config->pod.disable_agent) {
        // The client left while its program runs: end the program; the pod
        // stays for the connection's other sessions.
        run_helper(context_, pod_,
                   {context_->config->pod.agent_path, "signal", "--pid", std::to_string(pid_), "--signal", "KILL"}, {},
                   context_->config->timeouts.signal, [](int64_t, const std::string&) {});
    }
}

}  // namespace backend_kubernetes
