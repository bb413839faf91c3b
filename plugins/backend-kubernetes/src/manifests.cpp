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
    // The program is the console container's main process. Alone in its
    // PID namespace it would be PID 1, which the kernel shields from every
    // signal it installed no handler for (TERM, even KILL, sent from inside
    // the pod by the agent): with the pod's processes shared, the pause
    // container is PID 1 instead. An operator's explicit setting wins.
    PodSettings settings = context.config->pod;
    if (settings.spec_json.find("\"shareProcessNamespace\"") == std::string::npos && settings.spec_json.size() > 2) {
        settings.spec_json.insert(1, "\"shareProcessNamespace\":true,");
    }
    PodRequest request = request_for(context);
    request.console_command = console.argv;
    request.session = true;
    request.tty = tty;
    request.environment = exposed_environment(settings, context.metadata, std::move(environment));
    return logged(context, build_pod_manifest(settings, request));
}

}  // namespace backend_kubernetes
