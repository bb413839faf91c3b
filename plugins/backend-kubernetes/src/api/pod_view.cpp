#include "api/pod_view.hpp"

#include <simdjson.h>

namespace backend_kubernetes {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;

std::string text(element parent, const char* key) {
    std::string_view value;
    return parent[key].get_string().get(value) == simdjson::SUCCESS ? std::string(value) : std::string();
}

std::map<std::string, std::string> string_map(element parent, const char* key) {
    std::map<std::string, std::string> out;
    object map;
    if (parent[key].get_object().get(map) != simdjson::SUCCESS) return out;
    for (auto field : map) {
        std::string_view value;
        if (field.value.get_string().get(value) == simdjson::SUCCESS) out[std::string(field.key)] = std::string(value);
    }
    return out;
}

ContainerView container_view(element status) {
    ContainerView view;
    view.name = text(status, "name");
    bool ready = false;
    if (status["ready"].get_bool().get(ready) == simdjson::SUCCESS) view.ready = ready;
    element state;
    if (status["state"].get(state) != simdjson::SUCCESS) return view;
    element part;
    if (state["running"].get(part) == simdjson::SUCCESS) view.running = true;
    if (state["waiting"].get(part) == simdjson::SUCCESS) {
        view.waiting_reason = text(part, "reason");
        view.waiting_message = text(part, "message");
    }
    if (state["terminated"].get(part) == simdjson::SUCCESS) {
        view.terminated = true;
        int64_t code = 0;
        if (part["exitCode"].get_int64().get(code) == simdjson::SUCCESS) view.exit_code = code;
        view.terminated_reason = text(part, "reason");
    }
    return view;
}

std::optional<PodView> pod_view(element root, std::string& error) {
    element metadata;
    if (!root.is_object() || root["metadata"].get(metadata) != simdjson::SUCCESS) {
        error = "the answer is not a Pod object";
        return std::nullopt;
    }
    PodView pod;
    pod.name = text(metadata, "name");
    pod.namespace_ = text(metadata, "namespace");
    pod.uid = text(metadata, "uid");
    pod.resource_version = text(metadata, "resourceVersion");
    pod.labels = string_map(metadata, "labels");
    pod.annotations = string_map(metadata, "annotations");
    element deletion;
    pod.deleting = metadata["deletionTimestamp"].get(deletion) == simdjson::SUCCESS && !deletion.is_null();
    simdjson::dom::array containers;
    if (root["spec"]["containers"].get_array().get(containers) == simdjson::SUCCESS) {
        for (element c : containers) pod.spec_containers.push_back(text(c, "name"));
    }
    element status;
    if (root["status"].get(status) != simdjson::SUCCESS) return pod;
    pod.phase = text(status, "phase");
    simdjson::dom::array conditions;
    if (status["conditions"].get_array().get(conditions) == simdjson::SUCCESS) {
        for (element condition : conditions) {
            if (text(condition, "type") == "PodScheduled" && text(condition, "status") == "False") {
                pod.unschedulable_reason = text(condition, "reason");
                pod.unschedulable_message = text(condition, "message");
            }
        }
    }
    simdjson::dom::array statuses;
    if (status["containerStatuses"].get_array().get(statuses) == simdjson::SUCCESS) {
        for (element s : statuses) pod.containers.push_back(container_view(s));
    }
    return pod;
}

}  // namespace

const ContainerView* PodView::container(std::string_view wanted) const {
    for (const ContainerView& c : containers) {
        if (c.name == wanted) return &c;
    }
    return nullptr;
}

std::optional<PodView> parse_pod(std::string_view json, std::string& error) {
    simdjson::dom::parser parser;
    element root;
    if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
        error = "the answer is not JSON";
        return std::nullopt;
    }
    return pod_view(root, error);
}

std::optional<std::vector<PodView>> parse_pod_list(std::string_view json, std::string& error) {
    simdjson::dom::parser parser;
    element root;
    simdjson::dom::array items;
    if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS ||
        root["items"].get_array().get(items) != simdjson::SUCCESS) {
        error = "the answer is not a PodList";
        return std::nullopt;
    }
    std::vector<PodView> pods;
    for (element item : items) {
        auto pod = pod_view(item, error);
        if (!pod) return std::nullopt;
        pods.push_back(std::move(*pod));
    }
    return pods;
}

PodReadiness pod_readiness(const PodView& pod, std::string_view container, std::string& why) {
    if (pod.deleting) {
        why = "the pod is being deleted";
        return PodReadiness::failed;
    }
    if (pod.phase == "Succeeded" || pod.phase == "Failed") {
        why = "the pod ended (phase " + pod.phase + ") before it could be used";
        return PodReadiness::failed;
    }
    if (!pod.unschedulable_reason.empty() && pod.unschedulable_reason == "Unschedulable") {
        // The scheduler may still find room (an autoscaler adds a node), so
        // this is reported but waited out until podStart runs out.
        why = "the pod cannot be scheduled: " + pod.unschedulable_message;
        return PodReadiness::waiting;
    }
    const ContainerView* console = pod.container(container);
    if (console == nullptr) return PodReadiness::waiting;
    if (console->running) return PodReadiness::ready;
    if (console->terminated) {
        why = "the container " + std::string(container) + " ended with exit code " +
              std::to_string(console->exit_code) + " (" + console->terminated_reason + ")";
        return PodReadiness::failed;
    }
    const std::string& reason = console->waiting_reason;
    if (reason == "ErrImagePull" || reason == "ImagePullBackOff" || reason == "InvalidImageName" ||
        reason == "ErrImageNeverPull" || reason == "CreateContainerConfigError" ||
        reason == "CreateContainerError" || reason == "RunContainerError") {
        why = reason + (console->waiting_message.empty() ? std::string() : ": " + console->waiting_message);
        return PodReadiness::failed;
    }
    return PodReadiness::waiting;
}

}  // namespace backend_kubernetes
