#include "manifests.hpp"

#include "messages.hpp"

namespace backend_kubernetes {

namespace {

PodRequest request_for(const ConnectionContext& context) {
    PodRequest request;
    request.connection_id = context.connection_id;
    request.username = context.username;
    request.remote_ip = context.remote_ip;
    request.instance_id = context.config->pod.mode == ExecutionMode::persistent ? std::string() : context.instance_id;
    request.auth_metadata = context.metadata;
    return request;
}

std::string logged(const ConnectionContext& context, const PodManifest& manifest) {
    if (manifest.username_label_omitted) {
        context.log(codes::KUBERNETES_USERNAME_TOO_LONG,
                    "the username does not fit a label value (63 characters); the pod carries no username label");
    }
    return manifest.json;
}

}  // namespace

std::string connection_manifest(const ConnectionContext& context) {
    PodRequest request = request_for(context);
    request.console_command = context.config->pod.idle_command;
    request.environment = exposed_environment(context.config->pod, context.metadata, {});
    return logged(context, build_pod_manifest(context.config->pod, request));
}

std::string session_manifest(const ConnectionContext& context, const ConsoleCommand& console,
                             std::vector<std::pair<std::string, std::string>> environment, bool tty) {
    PodRequest request = request_for(context);
    request.console_command = console.argv;
    request.session = true;
    request.tty = tty;
    request.environment = exposed_environment(context.config->pod, context.metadata, std::move(environment));
    return logged(context, build_pod_manifest(context.config->pod, request));
}

}  // namespace backend_kubernetes
