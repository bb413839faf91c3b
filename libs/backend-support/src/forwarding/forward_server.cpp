#include "csh/backend_support/forwarding/forward_server.hpp"

namespace csh::backend_support {

namespace af = csh::agent_forward;

namespace {
// The agent's stderr is re-logged line by line, up to this many lines per
// process: a broken target must not flood the log.
constexpr unsigned kMaxAgentLogLines = 200;
constexpr size_t kMaxAgentLogLine = 1024;
}  // namespace

ForwardServer::ForwardServer(std::shared_ptr<const ForwardSite> site)
    : site_(std::move(site)), mux_(mux_events()), process_(site_->new_process()) {}

ForwardServer::~ForwardServer() { process_->close(); }

void ForwardServer::log(const char* code, const std::string& message,
                        std::initializer_list<csh::sdk::LogField> fields) const {
    std::vector<csh::sdk::LogField> all(fields);
    process_->describe(all);
    site_->host.log(code, message, all, site_->connection);
}

af::ForwardMux::Events ForwardServer::mux_events() {
    // The mux lives inside this object: its callbacks run only while it does.
    af::ForwardMux::Events events;
    events.output_ready = [this] { schedule_pump(); };
    events.setup_done = [this](bool ok, const af::proto::SetupReply& reply) {
        if (listener_.ready) std::exchange(listener_.ready, nullptr)(ok, reply);
        if (!ok) {
            log(site_->codes->agent_failed, "the guest agent refused the forwarding setup");
            return;
        }
        std::string extensions;
        for (const auto& name : reply.extensions) extensions += (extensions.empty() ? "" : ",") + name;
        log(site_->codes->agent_ready, "the guest agent's forward-server is ready",
            {{"extensions", extensions.empty() ? "none (ContainerSSH's agent)" : extensions},
             {"agentPid", std::to_string(reply.pid)}});
    };
    events.input_ready = [this] {
        // Not from inside the mux's call: the stream delivers at once.
        site_->host.post(site_->strand, [weak = weak_from_this()] {
            auto self = weak.lock();
            if (self && !self->ended_) self->process_->resume_output();
        });
    };
    events.incoming = [this](uint64_t id, const af::proto::NewConnectionPayload& from) {
        if (listener_.incoming) return listener_.incoming(id, from);
        mux_.reject(id);  // a dialing agent has no business accepting connections
    };
    events.violation = [this](const std::string& what) {
        // Not from inside the mux's call: ending the conversation tells the channels.
        site_->host.post(site_->strand, [weak = weak_from_this(), what] {
            if (auto self = weak.lock()) self->protocol_broken(what);
        });
    };
    return events;
}

AgentProcess::Events ForwardServer::process_events() {
    auto weak = weak_from_this();
    AgentProcess::Events events;
    events.output = [weak](csh_stream stream, std::string_view data) -> size_t {
        auto self = weak.lock();
        return self ? self->take_output(stream, data) : data.size();
    };
    events.started = [weak] {
        auto self = weak.lock();
        if (!self || self->ended_) return;
        self->started_ = true;
        self->pump();
    };
    events.input_ready = [weak] {
        if (auto self = weak.lock()) self->pump();
    };
    events.not_started = [weak](const std::string& error) {
        if (auto self = weak.lock()) self->finish(error);
    };
    events.ended = [weak](const std::string& error) {
        if (auto self = weak.lock()) {
            self->finish(error.empty() ? "the guest agent's forward-server ended" : error);
            self->ask_exit_code();
        }
    };
    events.input_failed = [weak](const std::string& error) {
        if (auto self = weak.lock()) self->finish("writing to the forward-server failed: " + error);
    };
    return events;
}

std::shared_ptr<ForwardServer> ForwardServer::start(std::shared_ptr<const ForwardSite> site,
                                                    af::proto::SetupPacket setup, ListenerEvents listener) {
    std::shared_ptr<ForwardServer> server(new ForwardServer(std::move(site)));
    server->listener_ = std::move(listener);
    server->mux_.setup(std::move(setup));
    const std::string& agent_path = server->site_->agent_path;
    server->log(server->site_->codes->agent_start, "starting the guest agent's forward-server",
                {{"agentPath", agent_path}});
    server->process_->start({agent_path, "forward-server"}, server->process_events());
    return server;
}

size_t ForwardServer::take_output(csh_stream stream, std::string_view data) {
    if (stream == CSH_STREAM_STDERR) {
        log_agent_lines(data);
        return data.size();
    }
    if (!mux_.ready() && first_output_.size() < kMaxAgentLogLine) {
        first_output_.append(data.substr(0, kMaxAgentLogLine - first_output_.size()));
    }
    return mux_.receive(data);
}

void ForwardServer::protocol_broken(const std::string& what) {
    if (ended_) return;
    if (mux_.ready()) {
        log(site_->codes->protocol_error, "the guest agent broke the forwarding protocol: " + what);
        return stop("the guest agent broke the forwarding protocol");
    }
    // Before the setup's answer: the program at agentPath is not a
    // forward-server (missing, or not an agent); say what it printed.
    std::string printed;
    for (const char c : first_output_) printed.push_back(c >= 0x20 && c < 0x7f ? c : ' ');
    while (!printed.empty() && printed.back() == ' ') printed.pop_back();
    log(site_->codes->agent_failed,
        "the guest agent's forward-server did not start; is the agent at agentPath in the image?",
        {{"agentPath", site_->agent_path}, {"output", printed}});
    stop("the guest agent's forward-server did not start");
}

void ForwardServer::log_agent_lines(std::string_view data) {
    for (const char c : data) {
        if (c != '\n') {
            if (stderr_line_.size() < kMaxAgentLogLine) stderr_line_.push_back(c);
            continue;
        }
        if (stderr_lines_ < kMaxAgentLogLines) {
            log(site_->codes->agent_log, stderr_line_);
        } else if (stderr_lines_ == kMaxAgentLogLines) {
            log(site_->codes->agent_log, "further lines of this forward-server are not logged");
        }
        ++stderr_lines_;
        stderr_line_.clear();
    }
}

void ForwardServer::schedule_pump() {
    if (pump_scheduled_) return;
    pump_scheduled_ = true;
    site_->host.post(site_->strand, [weak = weak_from_this()] {
        if (auto self = weak.lock()) self->pump();
    });
}

void ForwardServer::pump() {
    pump_scheduled_ = false;
    while (started_ && !ended_) {
        const std::string_view out = mux_.pending_output();
        if (out.empty()) return;
        const size_t taken = process_->write_input(out);
        mux_.output_written(taken);
        if (taken == 0) return;  // input_ready follows
    }
}

void ForwardServer::keep(uint64_t id, std::shared_ptr<af::MuxChannel> channel) { channels_[id] = std::move(channel); }

void ForwardServer::release(uint64_t id) { channels_.erase(id); }

void ForwardServer::finish(const std::string& reason) {
    if (ended_) return;
    ended_ = true;
    process_->close();
    if (!stopping_) log(site_->codes->agent_ended, reason);
    // The channels hear refused() or closed() and release themselves; a
    // listener still waiting for its setup hears that it failed.
    auto keep_alive = std::move(channels_);
    mux_.ended(reason);
    if (listener_.ready) std::exchange(listener_.ready, nullptr)(false, {});
    listener_.incoming = nullptr;
}

void ForwardServer::stop(const std::string& reason) {
    if (ended_) return;
    stopping_ = true;
    // Our agent exits at the end of its stdin; removing the container or
    // pod ends any other. Nothing waits for it.
    if (started_) process_->end_input();
    finish(reason);
}

void ForwardServer::ask_exit_code() {
    if (stopping_) return;
    auto self = shared_from_this();
    process_->exit_code([self](std::optional<int64_t> code) {
        if (!code || *code == 0) return;
        // 126/127: the runtime could not run agentPath at all.
        const bool missing = *code == 126 || *code == 127;
        self->log(self->site_->codes->agent_failed,
                  missing ? "the guest agent could not be run; is it at agentPath in the image?"
                          : "the guest agent's forward-server failed",
                  {{"exitCode", std::to_string(*code)}, {"agentPath", self->site_->agent_path}});
    });
}

}  // namespace csh::backend_support
