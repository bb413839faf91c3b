#include "pod_settings.hpp"

#include <containerssh/sdk/json_writer.hpp>

#include <cmath>
#include <optional>
#include <set>

namespace backend_kubernetes {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// ObjectMeta and PodSpec (Kubernetes 1.33) in Kubernetes' spelling. Keys are
// checked at the top level of each, so a misspelt field is named here rather
// than dropped by the API server; deeper objects are the server's to check.
constexpr std::string_view kMetadataKeys[] = {
    "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
    "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers",
    "managedFields",
};
constexpr std::string_view kSpecKeys[] = {
    "volumes", "initContainers", "containers", "ephemeralContainers", "restartPolicy",
    "terminationGracePeriodSeconds", "activeDeadlineSeconds", "dnsPolicy", "nodeSelector", "serviceAccountName",
    "serviceAccount", "automountServiceAccountToken", "nodeName", "hostNetwork", "hostPID", "hostIPC",
    "shareProcessNamespace", "securityContext", "imagePullSecrets", "hostname", "subdomain", "affinity",
    "schedulerName", "tolerations", "hostAliases", "priorityClassName", "priority", "dnsConfig", "readinessGates",
    "runtimeClassName", "enableServiceLinks", "preemptionPolicy", "overhead", "topologySpreadConstraints",
    "setHostnameAsFQDN", "os", "hostUsers", "schedulingGates", "resourceClaims", "resources",
};

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool same_letters(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

template <size_t N>
void check_keys(const Setting& object, const std::string_view (&known)[N], std::string_view what) {
    for (const auto member : object.object()) {
        bool found = false;
        std::string_view near;
        for (std::string_view name : known) {
            found = found || name == member.key;
            if (same_letters(name, member.key)) near = name;
        }
        if (found) continue;
        const Setting field = object.child(member.key, member.value);
        // ContainerSSH's decoder ignored letter case (Go's JSON does); the
        // API server does not, so the key is named with its right spelling.
        if (!near.empty()) field.fail("unknown key; Kubernetes spells it " + std::string(near));
        field.fail("unknown key; expected a field of " + std::string(what));
    }
}

// `written` over `defaults_json`, top-level key by key, as compact JSON.
std::string merge_over(const std::string& defaults_json, const Setting& written) {
    simdjson::dom::parser parser;
    const Setting defaults(parse_own_json(parser, defaults_json), written.path(), written.code());
    const simdjson::dom::object default_members = defaults.object();
    csh::sdk::JsonWriter out;
    out.begin_object();
    for (const auto member : default_members) {
        element ignored;
        if (written.object().at_key(member.key).get(ignored) == simdjson::SUCCESS) continue;
        out.key(member.key).raw(simdjson::minify(member.value));
    }
    for (const auto member : written.object()) {
        if (member.value.is_null()) continue;  // null: not set
        out.key(member.key).raw(simdjson::minify(member.value));
    }
    out.end_object();
    return out.take();
}

void check_string_map(const Setting& map) {
    for (const auto member : map.object()) map.child(member.key, member.value).node().as_string();
}

void read_metadata(const Setting& metadata, PodSettings& settings) {
    check_keys(metadata, kMetadataKeys, "ObjectMeta (name, generateName, namespace, labels, annotations, ...)");
    for (const char* key : {"name", "generateName", "namespace"}) {
        if (auto value = metadata.get(key)) value->node().as_string();
    }
    if (auto labels = metadata.get("labels")) {
        check_string_map(*labels);
        for (const auto member : labels->object()) {
            if (!is_qualified_name(member.key)) {
                labels->child(member.key, member.value)
                    .fail("is not a valid label key ([prefix/]name, name up to 63 characters of letters, digits, "
                          "'-', '_' and '.', beginning and ending with a letter or digit)");
            }
        }
    }
    if (auto annotations = metadata.get("annotations")) check_string_map(*annotations);
    settings.metadata_json = merge_over(PodSettings{}.metadata_json, metadata);
}

void read_spec(const Setting& spec, PodSettings& settings) {
    check_keys(spec, kSpecKeys, "PodSpec");
    settings.spec_json = merge_over(PodSettings{}.spec_json, spec);
}

std::vector<std::string> read_command(const Setting& setting) {
    std::vector<std::string> command = setting.node().as_string_list();
    if (!command.empty() && command.front().empty()) setting.fail("the first entry, the program, must not be empty");
    return command;
}

bool is_env_name(std::string_view name) {
    return !name.empty() && name.find('=') == std::string_view::npos && name.find('\0') == std::string_view::npos;
}

// metadata name -> target name, with the target checked by `valid`.
template <class Valid>
std::map<std::string, std::string> read_exposure(const Setting& map, Valid valid, std::string_view expected) {
    std::map<std::string, std::string> out;
    for (const auto member : map.object()) {
        const Setting field = map.child(member.key, member.value);
        if (member.key.empty()) field.fail("a metadata name must not be empty");
        std::string target = field.node().as_string();
        if (!valid(target)) field.fail("expected " + std::string(expected));
        out[std::string(member.key)] = std::move(target);
    }
    return out;
}


bool is_dns_label_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

bool is_dns_subdomain(std::string_view text) {
    if (text.empty() || text.size() > 253) return false;
    size_t start = 0;
    while (start <= text.size()) {
        const size_t dot = text.find('.', start);
        const std::string_view part = text.substr(start, dot == std::string_view::npos ? std::string_view::npos
                                                                                        : dot - start);
        if (part.empty() || part.front() == '-' || part.back() == '-') return false;
        for (char c : part) {
            if (!is_dns_label_char(c)) return false;
        }
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return true;
}

}  // namespace

std::optional<std::string_view> pod_spec_field(std::string_view key) {
    for (std::string_view name : kSpecKeys) {
        if (same_letters(name, key)) return name;
    }
    return std::nullopt;
}

bool is_qualified_name(std::string_view key) {
    const size_t slash = key.find('/');
    std::string_view name = key;
    if (slash != std::string_view::npos) {
        if (!is_dns_subdomain(key.substr(0, slash))) return false;
        name = key.substr(slash + 1);
    }
    if (name.empty() || name.size() > 63 || !is_alnum(name.front()) || !is_alnum(name.back())) return false;
    for (char c : name) {
        if (!is_alnum(c) && c != '-' && c != '_' && c != '.') return false;
    }
    return true;
}

void read_pod(const Setting& pod, PodSettings& settings, bool& metadata_namespace_written) {
    pod.node().allow_only({"metadata", "spec", "consoleContainerNumber", "mode", "createMissingPods", "idleCommand",
                           "shellCommand", "agentPath", "disableAgent", "subsystems", "exposeAuthMetadataAsEnv",
                           "exposeAuthMetadataAsLabels", "exposeAuthMetadataAsAnnotations"});
    if (auto metadata = pod.get("metadata")) {
        read_metadata(*metadata, settings);
        metadata_namespace_written = metadata->get("namespace").has_value();
    }
    if (auto spec = pod.get("spec")) read_spec(*spec, settings);
    if (auto number = pod.get("consoleContainerNumber")) settings.console_container_number = number->node().as_uint();
    if (auto mode = pod.get("mode")) {
        const std::string value = mode->node().as_string();
        if (value == "connection") {
            settings.mode = ExecutionMode::connection;
        } else if (value == "session") {
            settings.mode = ExecutionMode::session;
        } else if (value == "persistent") {
            settings.mode = ExecutionMode::persistent;
        } else {
            mode->fail("expected connection, session or persistent");
        }
    }
    settings.create_missing_pods = pod.node().boolean("createMissingPods", settings.create_missing_pods);
    if (auto idle = pod.get("idleCommand")) settings.idle_command = read_command(*idle);
    if (auto shell = pod.get("shellCommand")) settings.shell_command = read_command(*shell);
    settings.agent_path = pod.node().string("agentPath", settings.agent_path);
    settings.disable_agent = pod.node().boolean("disableAgent", settings.disable_agent);
    if (auto subsystems = pod.get("subsystems")) {
        std::map<std::string, std::string> table;
        for (const auto& [name, program] : subsystems->node().members()) {
            if (name.empty()) subsystems->fail("a subsystem name must not be empty");
            table[name] = program.as_string();
            if (table[name].empty()) program.fail("expected the program that serves the subsystem");
        }
        settings.subsystems = std::move(table);
    }
    if (auto env = pod.get("exposeAuthMetadataAsEnv")) {
        settings.expose_auth_metadata_as_env =
            read_exposure(*env, is_env_name, "an environment variable name (not empty, without '=')");
    }
    if (auto labels = pod.get("exposeAuthMetadataAsLabels")) {
        settings.expose_auth_metadata_as_labels =
            read_exposure(*labels, is_qualified_name, "a Kubernetes label key ([prefix/]name, name up to 63 "
                                                      "characters of letters, digits, '-', '_', '.')");
    }
    if (auto annotations = pod.get("exposeAuthMetadataAsAnnotations")) {
        settings.expose_auth_metadata_as_annotations = read_exposure(
            *annotations, is_qualified_name,
            "a Kubernetes annotation key ([prefix/]name, name up to 63 characters of letters, digits, '-', '_', '.')");
    }
}

void read_timeouts(const Setting& timeouts, KubernetesTimeouts& out) {
    timeouts.node().allow_only({"podStart", "podStop", "commandStart", "signal", "window", "http"});
    const std::pair<std::string_view, std::chrono::milliseconds KubernetesTimeouts::*> fields[] = {
        {"podStart", &KubernetesTimeouts::pod_start},   {"podStop", &KubernetesTimeouts::pod_stop},
        {"commandStart", &KubernetesTimeouts::command_start}, {"signal", &KubernetesTimeouts::signal},
        {"window", &KubernetesTimeouts::window},        {"http", &KubernetesTimeouts::http},
    };
    for (const auto& [key, member] : fields) {
        if (auto setting = timeouts.get(key)) out.*member = setting->as_timeout();
    }
}

void finish_pod(PodSettings& settings, const std::string& namespace_hint, bool metadata_namespace_written,
                const std::string& path, const char* code, const std::string& spec_key) {
    simdjson::dom::parser parser;
    const element metadata_root = parse_own_json(parser, settings.metadata_json);
    const Setting metadata(metadata_root, path + ".metadata", code);

    std::string namespace_name = metadata.node().string("namespace", "");
    if (!metadata_namespace_written && !namespace_hint.empty() && namespace_hint != namespace_name) {
        // The service account's or kubeconfig context's namespace stands in
        // for ContainerSSH's "default" when the file names none.
        csh::sdk::JsonWriter out;
        out.begin_object();
        for (const auto member : metadata.object()) {
            if (member.key == "namespace") continue;
            out.key(member.key).raw(simdjson::minify(member.value));
        }
        out.key("namespace").value(namespace_hint);
        out.end_object();
        settings.metadata_json = out.take();
        namespace_name = namespace_hint;
    }
    if (namespace_name.empty()) config_fail_at(code, path + ".metadata.namespace", "the pods' namespace must be set");
    if (!is_dns_subdomain(namespace_name) || namespace_name.size() > 63 || namespace_name.find('.') != std::string::npos) {
        config_fail_at(code, path + ".metadata.namespace",
                "expected a Kubernetes namespace name (up to 63 lower-case letters, digits and '-')");
    }
    settings.namespace_name = namespace_name;
    settings.pod_name = metadata.node().string("name", "");
    if (!settings.pod_name.empty() && !is_dns_subdomain(settings.pod_name)) {
        config_fail_at(code, path + ".metadata.name", "expected a Kubernetes pod name (lower-case letters, digits, '-', '.')");
    }

    simdjson::dom::parser spec_parser;
    const element spec_root = parse_own_json(spec_parser, settings.spec_json);
    const Setting spec(spec_root, path + "." + spec_key, code);
    const std::optional<Setting> containers = spec.get("containers");
    simdjson::dom::array list;
    if (!containers || containers->value().get_array().get(list) != simdjson::SUCCESS || list.size() == 0) {
        config_fail_at(code, path + "." + spec_key + ".containers", "expected a list of at least one container");
    }
    size_t index = 0;
    for (element item : list) {
        const Setting container(item, path + "." + spec_key + ".containers[" + std::to_string(index) + "]", code);
        container.object();
        const std::string name = container.node().string("name", "");
        const std::string image = container.node().string("image", "");
        if (name.empty()) config_fail_at(code, container.path() + ".name", "every container needs a name");
        if (image.empty()) config_fail_at(code, container.path() + ".image", "missing image name");
        if (index == settings.console_container_number) {
            settings.console_container = name;
            settings.console_image = image;
        }
        ++index;
    }
    if (settings.console_container_number >= list.size()) {
        config_fail_at(code, path + ".consoleContainerNumber",
                "the container for consoles does not exist in the pod spec (it has " + std::to_string(list.size()) +
                    (list.size() == 1 ? " container)" : " containers)"));
    }

    if (!settings.disable_agent && settings.agent_path.empty()) {
        config_fail_at(code, path + ".agentPath", "must name the guest agent in the image unless disableAgent is true");
    }
    if (settings.create_missing_pods && settings.mode != ExecutionMode::persistent) {
        config_fail_at(code, path + ".createMissingPods",
                "only applies to persistent mode (connection and session modes always create their pods); remove "
                "it or set mode: persistent");
    }
    const bool creates_idle_pod = settings.mode == ExecutionMode::connection ||
                                  (settings.mode == ExecutionMode::persistent && settings.create_missing_pods);
    if (creates_idle_pod && settings.idle_command.empty()) {
        config_fail_at(code, path + ".idleCommand", "the pod's console container needs the program that keeps it running");
    }
    if (settings.mode != ExecutionMode::session && settings.shell_command.empty()) {
        config_fail_at(code, path + ".shellCommand", "a shell request needs the program it runs");
    }
    if (settings.mode == ExecutionMode::session && !settings.disable_agent && settings.shell_command.empty()) {
        config_fail_at(code, path + ".shellCommand", "a shell request needs the program it runs when the agent is used");
    }
    if (settings.mode == ExecutionMode::persistent && settings.pod_name.empty()) {
        config_fail_at(code, path + ".metadata.name", "persistent mode execs into the pod of this name; set it");
    }
    if (settings.mode == ExecutionMode::session) {
        const std::string policy = spec.node().string("restartPolicy", "");
        if (!policy.empty() && policy != "Never") {
            config_fail_at(code, path + "." + spec_key + ".restartPolicy",
                    "session mode runs the program as the pod's main process, which must not restart; only Never "
                    "is allowed");
        }
    }
}

}  // namespace backend_kubernetes
