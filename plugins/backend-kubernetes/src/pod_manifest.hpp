// The body of the pod create call (POST .../namespaces/{ns}/pods): pod.metadata
// and pod.spec as configured, with what the backend adds for one connection
// or session: its labels and annotations, the console container's command and
// environment, and in session mode the streams and restart policy.
#pragma once

#include "kubernetes_config.hpp"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace backend_kubernetes {

inline constexpr const char* kConnectionIdLabel = "containerssh_connection_id";
inline constexpr const char* kUsernameLabel = "containerssh_username";
inline constexpr const char* kInstanceLabel = "containerssh_instance";  // ours
inline constexpr const char* kIpAnnotation = "containerssh_ip";

struct PodRequest {
    std::string connection_id;   // 32 hex characters
    std::string username;        // the authenticated username
    std::string remote_ip;       // the client's address without the port
    std::string instance_id;     // this gateway's identity (orphan collection)
    // The console container's command: idleCommand in connection mode and
    // persistent mode with createMissingPods; session_console_command(...).argv
    // in session mode.
    std::vector<std::string> console_command;
    // Session mode: the console container gets stdin and stdinOnce, tty when
    // the client asked for a pty, and the pod restartPolicy Never.
    bool session = false;
    bool tty = false;
    // Variables for the console container (the connection's environment
    // metadata, and exposeAuthMetadataAsEnv; in session mode also the
    // session's env requests). Later entries win.
    std::vector<std::pair<std::string, std::string>> environment;
    // The authentication metadata (name -> value), from which
    // exposeAuthMetadataAsEnv/Labels/Annotations pick.
    std::map<std::string, std::string> auth_metadata;
};

struct PodManifest {
    std::string json;
    // The username did not fit a label value: no containerssh_username label;
    // the caller logs KUBERNETES_USERNAME_TOO_LONG.
    bool username_label_omitted = false;
};

// Label and annotation keys the configuration maps metadata to are checked
// when the section is read; values taken from metadata are made valid label
// values (label_values.hpp). Our containerssh_* labels are set last, so
// metadata cannot overwrite them.
PodManifest build_pod_manifest(const PodSettings& pod, const PodRequest& request);

// The environment for the console container or the agent: `base` followed
// by exposeAuthMetadataAsEnv's picks from `auth_metadata`.
std::vector<std::pair<std::string, std::string>> exposed_environment(
    const PodSettings& pod, const std::map<std::string, std::string>& auth_metadata,
    std::vector<std::pair<std::string, std::string>> base);

}  // namespace backend_kubernetes
