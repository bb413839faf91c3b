#include "forward/docker_agent_process.hpp"

#include "messages.hpp"
#include "request_bodies.hpp"

namespace backend_docker {

DockerAgentProcess::DockerAgentProcess(std::shared_ptr<const ConnectionContext> context, std::string container)
    : context_(std::move(context)), container_(std::move(container)) {}

DockerAgentProcess::~DockerAgentProcess() {
    if (stream_) stream_->close();
}

void DockerAgentProcess::describe(std::vector<csh::sdk::LogField>& fields) const {
    fields.push_back({"containerId", container_});
    if (!exec_id_.empty()) fields.push_back({"execId", exec_id_});
}

void DockerAgentProcess::start(std::vector<std::string> command, Events events) {
    events_ = std::move(events);
    auto weak = weak_from_this();
    const auto timeout = context_->config->timeouts.command_start;
    context_->engine->create_exec(
        context_->site(), container_, exec_create_body(command, context_->environment, false, true), timeout,
        [weak, timeout](EngineResult r, std::string exec_id) {
            auto self = weak.lock();
            if (!self || self->closed_) return;
            if (!r.ok()) return self->events_.not_started("the forward-server could not be created: " + r.error);
            self->exec_id_ = std::move(exec_id);
            self->context_->engine->start_exec(
                self->context_->site(), self->exec_id_, false, timeout,
                [weak](EngineResult r, csh::loop_http::HttpResponse response) {
                    auto self = weak.lock();
                    if (!self || self->closed_) return;
                    if (!r.ok()) return self->events_.not_started("the forward-server could not be started: " + r.error);
                    self->attach(std::move(response));
                });
        });
}

void DockerAgentProcess::attach(csh::loop_http::HttpResponse response) {
    AttachedStream::Callbacks callbacks;
    callbacks.output = events_.output;
    callbacks.input_ready = events_.input_ready;
    callbacks.ended = events_.ended;
    callbacks.input_failed = [failed = events_.input_failed](bool, const std::string& error) { failed(error); };
    // No TTY: the engine frames stdout (packets) and stderr (the agent's log).
    stream_ = AttachedStream::start(context_->host, context_->strand, std::move(response), true, std::move(callbacks));
    events_.started();
}

size_t DockerAgentProcess::write_input(std::string_view data) { return stream_ ? stream_->write_input(data) : 0; }

void DockerAgentProcess::resume_output() {
    if (stream_) stream_->resume_output();
}

void DockerAgentProcess::end_input() {
    if (stream_) stream_->close_input();
}

void DockerAgentProcess::close() {
    closed_ = true;
    if (stream_) {
        stream_->close();
        stream_.reset();
    }
}

void DockerAgentProcess::exit_code(std::function<void(std::optional<int64_t>)> done) {
    if (exec_id_.empty()) return;
    context_->engine->inspect_exec(context_->site(), exec_id_, [done](EngineResult r, ProgramState state) {
        if (!r.ok() || state.running) return done(std::nullopt);
        done(state.exit_code);
    });
}

namespace {

constexpr csh::backend_support::ForwardCodes kForwardCodes{
    codes::DOCKER_FORWARD_NOT_AVAILABLE,  codes::DOCKER_FORWARD_AGENT_START,   codes::DOCKER_FORWARD_AGENT_READY,
    codes::DOCKER_FORWARD_AGENT_LOG,      codes::DOCKER_FORWARD_AGENT_ENDED,   codes::DOCKER_FORWARD_AGENT_FAILED,
    codes::DOCKER_FORWARD_PROTOCOL_ERROR, codes::DOCKER_FORWARD_CONNECTED,     codes::DOCKER_FORWARD_REFUSED,
    codes::DOCKER_FORWARD_LISTENING,      codes::DOCKER_FORWARD_LISTEN_FAILED, codes::DOCKER_FORWARD_LISTEN_STOPPED};

}  // namespace

std::shared_ptr<const csh::backend_support::ForwardSite> forward_site(std::shared_ptr<const ConnectionContext> context,
                                                                      std::string container) {
    auto site = std::make_shared<csh::backend_support::ForwardSite>();
    site->host = context->host;
    site->strand = context->strand;
    site->connection = context->connection;
    site->backend = "Docker";
    site->agent_path = context->config->agent_path;
    site->codes = &kForwardCodes;
    // The site lives as long as the connection's forward-servers; the
    // context does not hold it, so the capture makes no cycle.
    site->new_process = [context, container] { return std::make_shared<DockerAgentProcess>(context, container); };
    return site;
}

}  // namespace backend_docker
