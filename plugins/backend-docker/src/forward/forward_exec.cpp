#include "forward/forward_exec.hpp"

#include "messages.hpp"
#include "request_bodies.hpp"

namespace backend_docker {

namespace af = csh::agent_forward;

namespace {
// The agent's stderr is re-logged line by line, up to this many lines per
// process: a broken target must not flood the log.
constexpr unsigned kMaxAgentLogLines = 200;
constexpr size_t kMaxAgentLogLine = 1024;
}  // namespace

ForwardExec::ForwardExec(std::shared_ptr<const ConnectionContext> context, std::string container)
    : context_(std::move(context)), container_(std::move(container)), mux_(mux_events()) {}

ForwardExec::~ForwardExec() {
    if (stream_) stream_->close();
}

void ForwardExec::log(const char* code, const std::string& message,
                      std::initializer_list<csh::sdk::LogField> fields) const {
    std::vector<csh::sdk::LogField> all(fields);
    all.push_back({"containerId", container_});
    if (!exec_id_.empty()) all.push_back({"execId", exec_id_});
    context_->host.log(code, message, all, context_->connection);
}

af::ForwardMux::Events ForwardExec::mux_events() {
    // The mux lives inside this object: its callbacks run only while it does.
    af::ForwardMux::Events events;
    events.output_ready = [this] { schedule_pump(); };
    events.setup_done = [this](bool ok, const af::proto::SetupReply& reply) {
        if (listener_.ready) std::exchange(listener_.ready, nullptr)(ok, reply);
        if (!ok) {
            log(codes::DOCKER_FORWARD_AGENT_FAILED, "the guest agent refused the forwarding setup");
            return;
        }
        std::string extensions;
        for (const auto& name : reply.extensions) extensions += (extensions.empty() ? "" : ",") + name;
        log(codes::DOCKER_FORWARD_AGENT_READY, "the guest agent's forward-server is ready",
            {{"extensions", extensions.empty() ? "none (ContainerSSH's agent)" : extensions},
             {"agentPid", std::to_string(reply.pid)}});
    };
    events.input_ready = [this] {
        // Not from inside the mux's call: the stream delivers at once.
        context_->host.post(context_->strand, [weak = weak_from_this()] {
            auto self = weak.lock();
            if (self && self->stream_) self->stream_->resume_output();
        });
    };
    events.incoming = [this](uint64_t id, const af::proto::NewConnectionPayload& from) {
        if (listener_.incoming) return listener_.incoming(id, from);
        mux_.reject(id);  // a dialing agent has no business accepting connections
    };
    events.violation = [this](const std::string& what) {
        // Not from inside the mux's call: ending the conversation tells the channels.
        context_->host.post(context_->strand, [weak = weak_from_this(), what] {
            if (auto self = weak.lock()) self->protocol_broken(what);
        });
    };
    return events;
}

std::shared_ptr<ForwardExec> ForwardExec::start(std::shared_ptr<const ConnectionContext> context,
                                                std::string container, af::proto::SetupPacket setup,
                                                ListenerEvents listener) {
    std::shared_ptr<ForwardExec> exec(new ForwardExec(std::move(context), std::move(container)));
    exec->listener_ = std::move(listener);
    exec->mux_.setup(std::move(setup));
    exec->create({exec->context_->config->agent_path, "forward-server"});
    return exec;
}

void ForwardExec::create(std::vector<std::string> command) {
    log(codes::DOCKER_FORWARD_AGENT_START, "starting the guest agent's forward-server",
        {{"agentPath", command.front()}});
    auto weak = weak_from_this();
    const auto timeout = context_->config->timeouts.command_start;
    context_->engine->create_exec(
        context_->site(), container_, exec_create_body(command, context_->environment, false, true), timeout,
        [weak, timeout](EngineResult r, std::string exec_id) {
            auto self = weak.lock();
            if (!self || self->ended_) return;
            if (!r.ok()) return self->finish("the forward-server could not be created: " + r.error);
            self->exec_id_ = std::move(exec_id);
            self->context_->engine->start_exec(
                self->context_->site(), self->exec_id_, false, timeout,
                [weak](EngineResult r, csh::loop_http::HttpResponse response) {
                    auto self = weak.lock();
                    if (!self || self->ended_) return;
                    if (!r.ok()) return self->finish("the forward-server could not be started: " + r.error);
                    self->attach(std::move(response));
                });
        });
}

void ForwardExec::attach(csh::loop_http::HttpResponse response) {
    auto weak = weak_from_this();
    AttachedStream::Callbacks callbacks;
    callbacks.output = [weak](csh_stream stream, std::string_view data) -> size_t {
        auto self = weak.lock();
        return self ? self->take_output(stream, data) : data.size();
    };
    callbacks.input_ready = [weak] {
        if (auto self = weak.lock()) self->pump();
    };
    callbacks.ended = [weak](const std::string& error) {
        if (auto self = weak.lock()) {
            self->finish(error.empty() ? "the guest agent's forward-server ended" : error);
            self->ask_exit_code();
        }
    };
    callbacks.input_failed = [weak](bool, const std::string& error) {
        if (auto self = weak.lock()) self->finish("writing to the forward-server failed: " + error);
    };
    // No TTY: the engine frames stdout (packets) and stderr (the agent's log).
    stream_ = AttachedStream::start(context_->host, context_->strand, std::move(response), true, std::move(callbacks));
    pump();
}

size_t ForwardExec::take_output(csh_stream stream, std::string_view data) {
    if (stream == CSH_STREAM_STDERR) {
        log_agent_lines(data);
        return data.size();
    }
    if (!mux_.ready() && first_output_.size() < kMaxAgentLogLine) {
        first_output_.append(data.substr(0, kMaxAgentLogLine - first_output_.size()));
    }
    return mux_.receive(data);
}

void ForwardExec::protocol_broken(const std::string& what) {
    if (ended_) return;
    if (mux_.ready()) {
        log(codes::DOCKER_FORWARD_PROTOCOL_ERROR, "the guest agent broke the forwarding protocol: " + what);
        return stop("the guest agent broke the forwarding protocol");
    }
    // Before the setup's answer: the program at agentPath is not a
    // forward-server (missing, or not an agent); say what it printed.
    std::string printed;
    for (const char c : first_output_) printed.push_back(c >= 0x20 && c < 0x7f ? c : ' ');
    while (!printed.empty() && printed.back() == ' ') printed.pop_back();
    log(codes::DOCKER_FORWARD_AGENT_FAILED,
        "the guest agent's forward-server did not start; is the agent at agentPath in the image?",
        {{"agentPath", context_->config->agent_path}, {"output", printed}});
    stop("the guest agent's forward-server did not start");
}

void ForwardExec::log_agent_lines(std::string_view data) {
    for (const char c : data) {
        if (c != '\n') {
            if (stderr_line_.size() < kMaxAgentLogLine) stderr_line_.push_back(c);
            continue;
        }
        if (stderr_lines_ < kMaxAgentLogLines) {
            log(codes::DOCKER_FORWARD_AGENT_LOG, stderr_line_);
        } else if (stderr_lines_ == kMaxAgentLogLines) {
            log(codes::DOCKER_FORWARD_AGENT_LOG, "further lines of this forward-server are not logged");
        }
        ++stderr_lines_;
        stderr_line_.clear();
    }
}

void ForwardExec::schedule_pump() {
    if (pump_scheduled_) return;
    pump_scheduled_ = true;
    context_->host.post(context_->strand, [weak = weak_from_this()] {
        if (auto self = weak.lock()) self->pump();
    });
}

void ForwardExec::pump() {
    pump_scheduled_ = false;
    while (stream_ && !ended_) {
        const std::string_view out = mux_.pending_output();
        if (out.empty()) return;
        const size_t taken = stream_->write_input(out);
        mux_.output_written(taken);
        if (taken == 0) return;  // input_ready follows
    }
}

void ForwardExec::keep(uint64_t id, std::shared_ptr<af::MuxChannel> channel) { channels_[id] = std::move(channel); }

void ForwardExec::release(uint64_t id) { channels_.erase(id); }

void ForwardExec::finish(const std::string& reason) {
    if (ended_) return;
    ended_ = true;
    if (stream_) {
        stream_->close();
        stream_.reset();
    }
    if (!stopping_) log(codes::DOCKER_FORWARD_AGENT_ENDED, reason);
    // The channels hear refused() or closed() and release themselves; a
    // listener still waiting for its setup hears that it failed.
    auto keep_alive = std::move(channels_);
    mux_.ended(reason);
    if (listener_.ready) std::exchange(listener_.ready, nullptr)(false, {});
    listener_.incoming = nullptr;
}

void ForwardExec::stop(const std::string& reason) {
    if (ended_) return;
    stopping_ = true;
    // Our agent exits at the end of its stdin; the container's forced
    // removal ends any other. Nothing waits for it.
    if (stream_) stream_->close_input();
    finish(reason);
}

void ForwardExec::ask_exit_code() {
    if (exec_id_.empty() || stopping_) return;
    auto self = shared_from_this();
    context_->engine->inspect_exec(context_->site(), exec_id_, [self](EngineResult r, ProgramState state) {
        if (!r.ok() || state.running || state.exit_code == 0) return;
        // 126/127: the runtime could not run agentPath at all.
        const bool missing = state.exit_code == 126 || state.exit_code == 127;
        self->log(codes::DOCKER_FORWARD_AGENT_FAILED,
                  missing ? "the guest agent could not be run; is it at agentPath in the image?"
                          : "the guest agent's forward-server failed",
                  {{"exitCode", std::to_string(state.exit_code)}, {"agentPath", self->context_->config->agent_path}});
    });
}

}  // namespace backend_docker
