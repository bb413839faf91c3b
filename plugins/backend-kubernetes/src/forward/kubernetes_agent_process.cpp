#include "forward/kubernetes_agent_process.hpp"

#include "messages.hpp"

namespace backend_kubernetes {

KubernetesAgentProcess::KubernetesAgentProcess(std::shared_ptr<const ConnectionContext> context, PodRef pod)
    : context_(std::move(context)), pod_(std::move(pod)) {}

KubernetesAgentProcess::~KubernetesAgentProcess() { close(); }

void KubernetesAgentProcess::describe(std::vector<csh::sdk::LogField>& fields) const {
    fields.push_back({"pod", pod_.name});
    fields.push_back({"namespace", pod_.namespace_});
}

void KubernetesAgentProcess::start(std::vector<std::string> command, Events events) {
    events_ = std::move(events);
    ExecRequest request;
    request.target = context_->api->exec_target(pod_.namespace_, pod_.name, pod_.container, command, true, false);
    request.timeout = context_->config->timeouts.command_start;
    auto weak = weak_from_this();
    ExecStream::Callbacks callbacks;
    callbacks.output = [weak](csh_stream stream, std::string_view data) -> size_t {
        auto self = weak.lock();
        return self && !self->closed_ ? self->events_.output(stream, data) : data.size();
    };
    callbacks.input_ready = [weak] {
        if (auto self = weak.lock(); self && !self->closed_) self->events_.input_ready();
    };
    callbacks.ended = [weak](const ExecEnd& end) {
        auto self = weak.lock();
        if (!self || self->closed_) return;
        if (end.exit_code) self->exit_code_ = static_cast<int64_t>(*end.exit_code);
        self->events_.ended(end.error);
    };
    callbacks.input_failed = [weak](bool, const std::string& error) {
        if (auto self = weak.lock(); self && !self->closed_) self->events_.input_failed(error);
    };
    // The handshake counts as the connection's work until it is answered;
    // the running process does not (closing stops it instead).
    context_->api->when_allowed(context_->strand, [weak, pending = context_->work->hold(), request = std::move(request),
                                                   callbacks = std::move(callbacks)]() mutable {
        auto self = weak.lock();
        if (!self || self->closed_) return;
        request.headers = self->context_->api->request_headers();
        ExecStream::open(self->context_->host, self->context_->strand, self->context_->api->access().connector,
                         std::move(request), std::move(callbacks),
                         [weak, pending](std::shared_ptr<ExecStream> stream, int, const std::string& error) {
                             if (auto self = weak.lock()) return self->opened(std::move(stream), error);
                             if (stream) stream->close();
                         });
    });
}

void KubernetesAgentProcess::opened(std::shared_ptr<ExecStream> stream, const std::string& error) {
    if (closed_) {
        if (stream) stream->close();
        return;
    }
    if (!stream) return events_.not_started("the forward-server could not be run in the pod: " + error);
    stream_ = std::move(stream);
    events_.started();
}

size_t KubernetesAgentProcess::write_input(std::string_view data) { return stream_ ? stream_->write_input(data) : 0; }

void KubernetesAgentProcess::resume_output() {
    if (stream_) stream_->resume_output();
}

void KubernetesAgentProcess::end_input() {
    // False over v4: the close() that follows ends the process there.
    if (stream_) stream_->close_input();
}

void KubernetesAgentProcess::close() {
    closed_ = true;
    if (!stream_) return;
    stream_->close();
    // Possibly inside one of the stream's callbacks: it goes afterwards.
    release_later(context_->host, context_->strand, std::exchange(stream_, nullptr));
}

void KubernetesAgentProcess::exit_code(std::function<void(std::optional<int64_t>)> done) { done(exit_code_); }

namespace {

constexpr csh::backend_support::ForwardCodes kForwardCodes{
    codes::KUBERNETES_FORWARD_NOT_AVAILABLE,  codes::KUBERNETES_FORWARD_AGENT_START,
    codes::KUBERNETES_FORWARD_AGENT_READY,    codes::KUBERNETES_FORWARD_AGENT_LOG,
    codes::KUBERNETES_FORWARD_AGENT_ENDED,    codes::KUBERNETES_FORWARD_AGENT_FAILED,
    codes::KUBERNETES_FORWARD_PROTOCOL_ERROR, codes::KUBERNETES_FORWARD_CONNECTED,
    codes::KUBERNETES_FORWARD_REFUSED,        codes::KUBERNETES_FORWARD_LISTENING,
    codes::KUBERNETES_FORWARD_LISTEN_FAILED,  codes::KUBERNETES_FORWARD_LISTEN_STOPPED};

}  // namespace

std::shared_ptr<const csh::backend_support::ForwardSite> forward_site(std::shared_ptr<const ConnectionContext> context,
                                                                      PodRef pod) {
    auto site = std::make_shared<csh::backend_support::ForwardSite>();
    site->host = context->host;
    site->strand = context->strand;
    site->connection = context->connection;
    site->backend = "Kubernetes";
    site->agent_path = context->config->pod.agent_path;
    site->codes = &kForwardCodes;
    // The site lives as long as the connection's forward-servers; the
    // context does not hold it, so the capture makes no cycle.
    site->new_process = [context, pod] { return std::make_shared<KubernetesAgentProcess>(context, pod); };
    return site;
}

}  // namespace backend_kubernetes
