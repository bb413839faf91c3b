#include "kubernetes_connection.hpp"

#include "forward/kubernetes_agent_process.hpp"
#include "kubernetes_session.hpp"
#include "manifests.hpp"
#include "messages.hpp"

namespace backend_kubernetes {

namespace {

using Opened = std::function<void(std::shared_ptr<KubernetesConnection>, const std::string&)>;

void ready(const std::shared_ptr<const ConnectionContext>& context, const PodRef& pod, const Opened& done) {
    write_files(context, pod, [context, pod, done] { done(std::make_shared<KubernetesConnection>(context, pod), {}); });
}

void open_persistent(const std::shared_ptr<const ConnectionContext>& context, const Opened& done) {
    const PodSettings& settings = context->config->pod;
    const PodRef pod{settings.namespace_name, settings.pod_name, settings.console_container};
    find_pod(context, pod, [context, pod, done](bool missing, const std::string& error) {
        if (!error.empty()) return done(nullptr, error);
        if (!missing) return ready(context, pod, done);
        if (!context->config->pod.create_missing_pods) {
            context->log(codes::KUBERNETES_POD_WAIT_FAILED,
                         "the persistent pod does not exist and createMissingPods is false",
                         {{"pod", pod.name}, {"namespace", pod.namespace_}});
            return done(nullptr, "Your pod does not exist; please contact the administrator.");
        }
        start_pod(context, connection_manifest(*context), [context, done](const PodRef& made, const std::string& e) {
            if (!e.empty()) return done(nullptr, e);
            ready(context, made, done);
        });
    });
}

// Why a connection cannot forward, or empty.
std::string forward_refusal(const ConnectionContext& context) {
    if (context.config->pod.mode == ExecutionMode::session) {
        return "port forwarding does not work in session mode (there is no pod between sessions)";
    }
    if (context.config->pod.disable_agent) return "port forwarding needs the guest agent (disableAgent is true)";
    return {};
}

}  // namespace

void KubernetesConnection::open(std::shared_ptr<const ConnectionContext> context, Opened done) {
    context->live->add(context->connection_id);
    auto finished = [context, done](std::shared_ptr<KubernetesConnection> connection, const std::string& error) {
        if (!connection) context->live->remove(context->connection_id);
        done(std::move(connection), error);
    };
    switch (context->config->pod.mode) {
        case ExecutionMode::session:
            return finished(std::make_shared<KubernetesConnection>(context, PodRef{}), {});
        case ExecutionMode::persistent:
            return open_persistent(context, finished);
        case ExecutionMode::connection:
            start_pod(context, connection_manifest(*context), [context, finished](const PodRef& pod, const std::string& e) {
                if (!e.empty()) return finished(nullptr, e);
                ready(context, pod, finished);
            });
            return;
    }
}

KubernetesConnection::KubernetesConnection(std::shared_ptr<const ConnectionContext> context, PodRef pod)
    : BackendConnection(context->host),
      context_(std::move(context)),
      pod_(std::move(pod)),
      forwarding_(forward_site(context_, pod_), forward_refusal(*context_)) {}

std::shared_ptr<csh::sdk::BackendSession> KubernetesConnection::open_session(const csh::sdk::SessionParams& params) {
    return std::make_shared<KubernetesSession>(context_, params, pod_);
}

void KubernetesConnection::open_forward(const csh::sdk::ForwardParams& params, csh::sdk::ForwardOpenCompletion done) {
    forwarding_.open_forward(params, std::move(done));
}

void KubernetesConnection::listen(const csh::sdk::ListenParams& params, csh::sdk::ListenCompletion done) {
    forwarding_.listen(params, std::move(done));
}

void KubernetesConnection::close(csh::sdk::StatusCompletion done) {
    // The forward-servers go first and are not waited for (ContainerSSH's
    // #711: a waited-for agent kept the pod alive).
    forwarding_.stop();
    auto reply = std::make_shared<csh::sdk::StatusCompletion>(std::move(done));
    auto context = context_;
    const PodRef pod = context->config->pod.mode == ExecutionMode::connection ? pod_ : PodRef{};
    // Sessions' last calls (a session pod's deletion, an exit code) finish
    // first: they use this connection's strand and log handle.
    context->work->when_idle([context, pod, reply] {
        if (pod.empty()) {
            context->live->remove(context->connection_id);
            reply->ok();
            return;
        }
        remove_pod(context, pod, [context, reply] {
            context->live->remove(context->connection_id);
            reply->ok();
        });
    });
}

}  // namespace backend_kubernetes
