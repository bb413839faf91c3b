#include "pod_manifest.hpp"

#include "label_values.hpp"
#include "setting.hpp"

#include <containerssh/sdk/json_writer.hpp>

#include <set>

namespace backend_kubernetes {
namespace {

using csh::sdk::JsonWriter;
using simdjson::dom::element;
using simdjson::dom::object;

// Members of `source` except those named in `skip`, as they are.
void copy_members(JsonWriter& out, const object& source, const std::set<std::string_view>& skip) {
    for (const auto member : source) {
        if (skip.count(member.key) != 0) continue;
        out.key(member.key).raw(simdjson::minify(member.value));
    }
}

// The map member `key` of `source` (labels, annotations) with `ours` on top.
void write_string_map(JsonWriter& out, const object& source, std::string_view key,
                      const std::map<std::string, std::string>& ours) {
    out.key(key).begin_object();
    element existing;
    object members;
    if (source.at_key(key).get(existing) == simdjson::SUCCESS && existing.get_object().get(members) == simdjson::SUCCESS) {
        for (const auto member : members) {
            if (ours.count(std::string(member.key)) != 0) continue;
            out.key(member.key).raw(simdjson::minify(member.value));
        }
    }
    for (const auto& [name, value] : ours) out.key(name).value(value);
    out.end_object();
}

void write_console_container(JsonWriter& out, const object& container, const PodRequest& request,
                             const std::vector<std::pair<std::string, std::string>>& environment) {
    out.begin_object();
    // args would be appended to the command we set, which is complete.
    copy_members(out, container, {"command", "args", "env", "stdin", "stdinOnce", "tty"});
    if (!request.console_command.empty()) {
        out.key("command").begin_array();
        for (const std::string& word : request.console_command) out.value(word);
        out.end_array();
    } else {
        // Session mode without agent and no program (a kuberun shell with no
        // shellCommand): the image's own command runs.
        element args;
        if (container.at_key("args").get(args) == simdjson::SUCCESS) out.key("args").raw(simdjson::minify(args));
    }

    std::set<std::string> ours;
    for (const auto& entry : environment) ours.insert(entry.first);
    out.key("env").begin_array();
    element env;
    simdjson::dom::array entries;
    if (container.at_key("env").get(env) == simdjson::SUCCESS && env.get_array().get(entries) == simdjson::SUCCESS) {
        for (element entry : entries) {
            std::string_view name;
            if (entry["name"].get_string().get(name) == simdjson::SUCCESS && ours.count(std::string(name)) != 0) {
                continue;
            }
            out.raw(simdjson::minify(entry));
        }
    }
    // Last one wins for a name given twice, as in a shell.
    std::map<std::string, size_t> last;
    for (size_t i = 0; i < environment.size(); ++i) last[environment[i].first] = i;
    for (size_t i = 0; i < environment.size(); ++i) {
        if (last[environment[i].first] != i) continue;
        out.begin_object().key("name").value(environment[i].first).key("value").value(environment[i].second);
        out.end_object();
    }
    out.end_array();

    if (request.session) {
        out.key("stdin").value(true);
        out.key("stdinOnce").value(true);
        out.key("tty").value(request.tty);
    } else {
        for (const char* key : {"stdin", "stdinOnce", "tty"}) {
            element value;
            if (container.at_key(key).get(value) == simdjson::SUCCESS) out.key(key).raw(simdjson::minify(value));
        }
    }
    out.end_object();
}

}  // namespace

std::vector<std::pair<std::string, std::string>> exposed_environment(
    const PodSettings& pod, const std::map<std::string, std::string>& auth_metadata,
    std::vector<std::pair<std::string, std::string>> base) {
    for (const auto& [metadata_name, variable] : pod.expose_auth_metadata_as_env) {
        const auto found = auth_metadata.find(metadata_name);
        if (found != auth_metadata.end()) base.emplace_back(variable, found->second);
    }
    return base;
}

PodManifest build_pod_manifest(const PodSettings& pod, const PodRequest& request) {
    PodManifest manifest;

    std::map<std::string, std::string> labels;
    for (const auto& [metadata_name, label] : pod.expose_auth_metadata_as_labels) {
        const auto found = request.auth_metadata.find(metadata_name);
        if (found != request.auth_metadata.end()) labels[label] = label_value(found->second);
    }
    labels[kConnectionIdLabel] = label_value(request.connection_id);
    if (const auto username = username_label_value(request.username)) {
        labels[kUsernameLabel] = *username;
    } else {
        labels.erase(kUsernameLabel);  // nor one from metadata under our name
        manifest.username_label_omitted = true;
    }
    if (!request.instance_id.empty()) labels[kInstanceLabel] = label_value(request.instance_id);

    std::map<std::string, std::string> annotations;
    for (const auto& [metadata_name, annotation] : pod.expose_auth_metadata_as_annotations) {
        const auto found = request.auth_metadata.find(metadata_name);
        if (found != request.auth_metadata.end()) annotations[annotation] = found->second;
    }
    annotations[kIpAnnotation] = ip_annotation_value(request.remote_ip);

    simdjson::dom::parser metadata_parser;
    simdjson::dom::parser spec_parser;
    const object metadata = parse_own_json(metadata_parser, pod.metadata_json).get_object().value_unsafe();
    const object spec = parse_own_json(spec_parser, pod.spec_json).get_object().value_unsafe();

    JsonWriter out;
    out.begin_object();
    out.key("apiVersion").value("v1");
    out.key("kind").value("Pod");
    out.key("metadata").begin_object();
    copy_members(out, metadata, {"labels", "annotations"});
    write_string_map(out, metadata, "labels", labels);
    write_string_map(out, metadata, "annotations", annotations);
    out.end_object();

    out.key("spec").begin_object();
    copy_members(out, spec, request.session ? std::set<std::string_view>{"containers", "restartPolicy"}
                                            : std::set<std::string_view>{"containers"});
    if (request.session) out.key("restartPolicy").value("Never");
    out.key("containers").begin_array();
    const simdjson::dom::array containers = spec["containers"].get_array().value_unsafe();
    size_t index = 0;
    for (element container : containers) {
        if (index++ == pod.console_container_number) {
            write_console_container(out, container.get_object().value_unsafe(), request, request.environment);
        } else {
            out.raw(simdjson::minify(container));
        }
    }
    out.end_array();
    out.end_object();
    out.end_object();
    manifest.json = out.take();
    return manifest;
}

}  // namespace backend_kubernetes
