#include "kubernetes_config.hpp"

#include "connection_settings.hpp"
#include "messages.hpp"
#include "pod_settings.hpp"
#include "setting.hpp"

#include <containerssh/sdk/types.hpp>

#include <simdjson.h>

namespace backend_kubernetes {
namespace {

using simdjson::dom::element;

constexpr const char* kRoot = "kubernetes";

void apply_connection(const std::optional<Setting>& block, KubernetesConfig& config) {
    ConnectionResult result = read_connection(block, std::string(kRoot) + ".connection", config.notices);
    config.connection = std::move(result.connection);
    config.namespace_hint = std::move(result.namespace_hint);
}

KubernetesConfig apply(const Setting& section, KubernetesConfig config, bool connection_always) {
    section.node().allow_only({"connection", "pod", "timeouts"});
    const std::optional<Setting> connection = section.get("connection");
    if (connection || connection_always) apply_connection(connection, config);
    if (auto pod = section.get("pod")) read_pod(*pod, config.pod, config.namespace_written);
    if (auto timeouts = section.get("timeouts")) read_timeouts(*timeouts, config.timeouts);
    finish_pod(config.pod, config.namespace_hint, config.namespace_written, std::string(kRoot) + ".pod",
               section.code());
    return config;
}

element parse_json(simdjson::dom::parser& parser, std::string_view json, const char* code, const char* what) {
    element root;
    if (parser.parse(json.data(), json.size(), true).get(root) != simdjson::SUCCESS) {
        throw csh::sdk::Error(code, std::string(what) + " is not valid JSON", {{"key", kRoot}});
    }
    return root;
}

}  // namespace

std::string_view mode_name(ExecutionMode mode) {
    switch (mode) {
        case ExecutionMode::session: return "session";
        case ExecutionMode::persistent: return "persistent";
        case ExecutionMode::connection: break;
    }
    return "connection";
}

std::string ApiConnection::describe_authentication() const {
    std::string how;
    if (!bearer_token_file.empty()) {
        how = "bearer token file";
    } else if (!bearer_token.empty()) {
        how = "bearer token";
    } else if (!username.empty() || !password.empty()) {
        how = "basic";
    }
    if (!endpoint.cert_pem.empty()) how += how.empty() ? "client certificate" : " and client certificate";
    if (how.empty()) how = "none";
    switch (source) {
        case CredentialSource::in_cluster: return "in-cluster service account (" + how + ")";
        case CredentialSource::kubeconfig: return "kubeconfig context " + kubeconfig_context + " (" + how + ")";
        case CredentialSource::settings: break;
    }
    return how;
}

std::string ApiConnection::display() const {
    const bool v6 = endpoint.tcp_host.find(':') != std::string::npos;
    return "https://" + (v6 ? "[" + endpoint.tcp_host + "]" : endpoint.tcp_host) + ":" +
           std::to_string(endpoint.tcp_port) + api_path;
}

KubernetesConfig KubernetesConfig::defaults() {
    // Through the same steps as a written section, so that in-cluster
    // detection and the derived pod fields apply to the defaults too.
    return from_section("null", codes::KUBERNETES_CONFIG_ERROR);
}

KubernetesConfig KubernetesConfig::from_section(std::string_view section_json, const char* error_code) {
    simdjson::dom::parser parser;
    element root = parse_json(parser, section_json, error_code, "the configuration section kubernetes");
    simdjson::dom::parser empty;
    if (root.is_null()) root = parse_own_json(empty, "{}");  // no section: every default
    return apply(Setting(root, kRoot, error_code), KubernetesConfig{}, true);
}

KubernetesConfig KubernetesConfig::from_effective_config(std::string_view config_json, const KubernetesConfig& base,
                                                         const char* error_code) {
    if (config_json.empty()) return base;
    simdjson::dom::parser parser;
    const element root = parse_json(parser, config_json, error_code, "the connection's effective configuration");
    element section;
    if (base.from_kuberun) {
        // The legacy section is mapped as a whole; the core merged the
        // config server's answer into it already.
        if (!root.is_object() || root.at_key("kuberun").get(section) != simdjson::SUCCESS || section.is_null()) {
            return base;
        }
        KubernetesConfig mapped = from_kuberun_section(simdjson::minify(section), error_code);
        mapped.notices.clear();
        return mapped;
    }
    if (!root.is_object() || root.at_key(kRoot).get(section) != simdjson::SUCCESS || section.is_null()) return base;
    KubernetesConfig start = base;
    start.notices.clear();  // the file's notices were logged at start-up
    return apply(Setting(section, kRoot, error_code), std::move(start), false);
}

}  // namespace backend_kubernetes
