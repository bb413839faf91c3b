// The legacy `kuberun` section (ContainerSSH 0.3; 0.4 still ran it on the
// kubernetes backend, 0.5 removed it). Mapped as ContainerSSH 0.4 did:
//
//   kuberun.connection.*        -> kubernetes.connection.* (same keys)
//   kuberun.connection.insecure -> refused with KUBERUN_INSECURE (never skip verification)
//   kuberun.connection.timeout  -> timeouts.http (0 or absent: our default)
//   kuberun.timeout             -> timeouts.podStart, podStop, commandStart, signal, window
//   kuberun.pod.namespace       -> pod.metadata {namespace, generateName: containerssh-}
//   kuberun.pod.podSpec         -> pod.spec (keys in any letter case, empty values dropped)
//   kuberun.pod.consoleContainerNumber, subsystems, agentPath, shellCommand -> the same pod keys
//   kuberun.pod.disableCommand  -> exec requests refused with KUBERUN_EXEC_DISABLED
//   mode session, no idle command, guest agent off (see disableAgent below).
#include "connection_settings.hpp"
#include "kubernetes_config.hpp"
#include "messages.hpp"
#include "pod_settings.hpp"
#include "setting.hpp"

#include <containerssh/sdk/json_writer.hpp>
#include <containerssh/sdk/types.hpp>

namespace backend_kubernetes {
namespace {

using csh::sdk::JsonWriter;
using simdjson::dom::element;

constexpr const char* kRoot = "kuberun";

// Container (Kubernetes 1.33) in Kubernetes' spelling.
constexpr std::string_view kContainerKeys[] = {
    "name", "image", "command", "args", "workingDir", "ports", "envFrom", "env", "resources", "resizePolicy",
    "restartPolicy", "volumeMounts", "volumeDevices", "livenessProbe", "readinessProbe", "startupProbe",
    "lifecycle", "terminationMessagePath", "terminationMessagePolicy", "imagePullPolicy", "securityContext",
    "stdin", "stdinOnce", "tty",
};

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::optional<std::string_view> container_field(std::string_view key) {
    for (std::string_view name : kContainerKeys) {
        bool same = name.size() == key.size();
        for (size_t i = 0; same && i < key.size(); ++i) same = lower(name[i]) == lower(key[i]);
        if (same) return name;
    }
    return std::nullopt;
}

// Go's zero values, which ContainerSSH 0.4's --dump-config wrote for every
// unset field ("workingdir: \"\"", "livenessprobe: null", "ports: []").
bool is_empty_value(element value) {
    switch (value.type()) {
        case simdjson::dom::element_type::NULL_VALUE: return true;
        case simdjson::dom::element_type::STRING: return value.get_string().value_unsafe().empty();
        case simdjson::dom::element_type::ARRAY: return value.get_array().value_unsafe().size() == 0;
        case simdjson::dom::element_type::OBJECT: return value.get_object().value_unsafe().size() == 0;
        default: return false;
    }
}

// An object whose keys ContainerSSH's decoder matched in any letter case
// (Go's JSON does): written in Kubernetes' spelling, empty values left out.
template <class Spelling, class WriteValue>
void write_respelled(JsonWriter& out, const Setting& object, Spelling spelling, std::string_view what,
                     WriteValue write_value) {
    std::vector<std::string_view> seen;
    out.begin_object();
    for (const auto member : object.object()) {
        const Setting field = object.child(member.key, member.value);
        const std::optional<std::string_view> name = spelling(member.key);
        // 0.4's dump also wrote Go field names that are no JSON name
        // ("deprecatedserviceaccount"); its decoder ignored them, and empty they say nothing.
        if (!name && is_empty_value(member.value)) continue;
        if (!name) field.fail("unknown key; expected a field of " + std::string(what));
        for (std::string_view earlier : seen) {
            if (earlier == *name) field.fail("the key is given twice in different letter case");
        }
        seen.push_back(*name);
        if (is_empty_value(member.value)) continue;
        out.key(*name);
        write_value(*name, field);
    }
    out.end_object();
}

std::string respell_pod_spec(const Setting& spec) {
    JsonWriter out;
    write_respelled(out, spec, pod_spec_field, "PodSpec", [&out](std::string_view name, const Setting& field) {
        simdjson::dom::array list;
        if ((name == "containers" || name == "initContainers") &&
            field.value().get_array().get(list) == simdjson::SUCCESS) {
            out.begin_array();
            size_t index = 0;
            for (element item : list) {
                const Setting container(item, field.path() + "[" + std::to_string(index++) + "]", field.code());
                write_respelled(out, container, container_field, "Container",
                                [&out](std::string_view, const Setting& value) { out.raw(value.compact()); });
            }
            out.end_array();
        } else {
            out.raw(field.compact());
        }
    });
    return out.take();
}

void read_legacy_pod(const Setting& pod, KubernetesConfig& config) {
    pod.node().allow_only({"namespace", "consoleContainerNumber", "podSpec", "subsystems", "agentPath",
                           "disableAgent", "shellCommand", "disableCommand"});
    PodSettings& settings = config.pod;
    if (auto ns = pod.get("namespace")) {
        const std::string name = ns->node().as_string();
        if (name.empty()) ns->fail("the pods' namespace must be set");
        JsonWriter out;
        out.begin_object().key("namespace").value(name).key("generateName").value("containerssh-").end_object();
        settings.metadata_json = out.take();
        config.namespace_written = true;
    }
    if (auto spec = pod.get("podSpec")) settings.spec_json = respell_pod_spec(*spec);
    if (auto number = pod.get("consoleContainerNumber")) settings.console_container_number = number->node().as_uint();
    if (auto subsystems = pod.get("subsystems")) {
        std::map<std::string, std::string> table;
        for (const auto& [name, program] : subsystems->node().members()) {
            if (name.empty()) subsystems->fail("a subsystem name must not be empty");
            table[name] = program.as_string();
            if (table[name].empty()) program.fail("expected the program that serves the subsystem");
        }
        settings.subsystems = std::move(table);
    }
    settings.agent_path = pod.node().string("agentPath", settings.agent_path);
    if (auto shell = pod.get("shellCommand")) settings.shell_command = shell->node().as_string_list();
    // ContainerSSH 0.4 read this key inverted (true turned the agent on);
    // images made for kuberun predate the agent, so it stays off here
    // whatever the key says, and true gets a notice instead of a surprise.
    if (pod.node().boolean("disableAgent", false)) {
        config.notices.push_back(
            {codes::KUBERNETES_CONFIG_NOTICE, pod.path() + ".disableAgent",
             "kuberun never uses the guest agent here (ContainerSSH 0.4 read this key inverted and turned the agent "
             "on with true); to use the agent, move to a kubernetes section"});
    }
    config.exec_disabled = pod.node().boolean("disableCommand", false);
}

KubernetesConfig map_kuberun(const Setting& section, const char* code) {
    section.node().allow_only({"connection", "pod", "timeout"});
    KubernetesConfig config;
    config.from_kuberun = true;
    config.notices.push_back({codes::KUBERUN_DEPRECATED, kRoot,
                              "backend: kuberun is deprecated since ContainerSSH 0.4; it runs on the kubernetes "
                              "backend in session mode without the guest agent. Move the settings to a kubernetes "
                              "section (docs/kubernetes.md)."});
    config.pod.mode = ExecutionMode::session;
    config.pod.idle_command.clear();
    config.pod.shell_command.clear();  // kuberun had none: the image's command runs
    config.pod.disable_agent = true;

    const std::optional<Setting> connection = section.get("connection");
    if (connection) {
        if (auto insecure = connection->get("insecure"); insecure && insecure->node().as_bool()) {
            throw csh::sdk::Error(
                codes::KUBERUN_INSECURE,
                "invalid configuration at kuberun.connection.insecure: this gateway always verifies the API "
                "server's certificate; set kuberun.connection.cacert or cacertFile to the cluster's CA and remove "
                "insecure",
                {{"key", "kuberun.connection.insecure"}});
        }
        if (auto timeout = connection->get("timeout"); timeout && timeout->node().as_duration().count() != 0) {
            config.timeouts.http = timeout->as_timeout();
        }
    }
    ConnectionResult result = read_connection(connection, std::string(kRoot) + ".connection", config.notices, true);
    config.connection = std::move(result.connection);
    config.namespace_hint = std::move(result.namespace_hint);

    if (auto pod = section.get("pod")) read_legacy_pod(*pod, config);
    if (auto timeout = section.get("timeout")) {
        const std::chrono::milliseconds value = timeout->as_timeout();
        for (auto* field : {&config.timeouts.pod_start, &config.timeouts.pod_stop, &config.timeouts.command_start,
                            &config.timeouts.signal, &config.timeouts.window}) {
            *field = value;
        }
    }
    finish_pod(config.pod, config.namespace_hint, config.namespace_written, std::string(kRoot) + ".pod", code,
               "podSpec");
    return config;
}

}  // namespace

KubernetesConfig KubernetesConfig::from_kuberun_section(std::string_view section_json, const char* error_code) {
    simdjson::dom::parser parser;
    element root;
    if (parser.parse(section_json.data(), section_json.size(), true).get(root) != simdjson::SUCCESS) {
        throw csh::sdk::Error(error_code, "the configuration section kuberun is not valid JSON", {{"key", kRoot}});
    }
    simdjson::dom::parser empty;
    if (root.is_null()) root = parse_own_json(empty, "{}");
    return map_kuberun(Setting(root, kRoot, error_code), error_code);
}

}  // namespace backend_kubernetes
