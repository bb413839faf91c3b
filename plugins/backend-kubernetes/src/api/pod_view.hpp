// What the backend reads from a Pod object the API server returns (create,
// get, list, watch): its identity, its labels and how far it got. The rest of
// the object is not kept.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace backend_kubernetes {

struct ContainerView {
    std::string name;
    bool ready = false;
    bool running = false;
    // state.waiting: reason ("ContainerCreating", "ErrImagePull",
    // "ImagePullBackOff", "CreateContainerConfigError", ...) and message.
    std::string waiting_reason;
    std::string waiting_message;
    // state.terminated
    bool terminated = false;
    int64_t exit_code = 0;
    std::string terminated_reason;
};

struct PodView {
    std::string name;
    std::string namespace_;
    std::string uid;
    std::string resource_version;
    std::map<std::string, std::string> labels;
    std::map<std::string, std::string> annotations;
    std::string phase;  // Pending, Running, Succeeded, Failed, Unknown
    bool deleting = false;  // metadata.deletionTimestamp is set
    // The PodScheduled condition is False: why ("Unschedulable") and the
    // scheduler's message.
    std::string unschedulable_reason;
    std::string unschedulable_message;
    std::vector<ContainerView> containers;  // status.containerStatuses
    std::vector<std::string> spec_containers;  // spec.containers[].name, in order

    const ContainerView* container(std::string_view name) const;
};

// Parses a Pod object; nullopt when `json` is not one (the error says why).
std::optional<PodView> parse_pod(std::string_view json, std::string& error);
// Parses a PodList's items.
std::optional<std::vector<PodView>> parse_pod_list(std::string_view json, std::string& error);

// How a pod stands for a connection waiting to exec into `container`.
enum class PodReadiness {
    waiting,   // not yet: keep watching
    ready,     // the container runs
    failed,    // it will not run by itself: `why` says what to tell the operator
};
PodReadiness pod_readiness(const PodView& pod, std::string_view container, std::string& why);

}  // namespace backend_kubernetes
