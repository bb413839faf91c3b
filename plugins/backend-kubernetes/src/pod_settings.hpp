// kubernetes.pod and kubernetes.timeouts: reading them over a base, and the
// rules that span several keys (what ContainerSSH validated, plus ours).
#pragma once

#include "kubernetes_config.hpp"
#include "setting.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace backend_kubernetes {

// Each key of `pod` replaces the same key of `settings`; metadata and spec
// are merged over ContainerSSH's defaults at their top level.
// `metadata_namespace_written` tells whether the merged metadata names a namespace.
void read_pod(const Setting& pod, PodSettings& settings, bool& metadata_namespace_written);

void read_timeouts(const Setting& timeouts, KubernetesTimeouts& out);

// The checks across keys, then the derived fields (namespace_name, pod_name,
// console_container, console_image). `namespace_hint` replaces the default
// namespace when the metadata does not name one. `path` is "kubernetes.pod".
// `spec_key` is the key the spec was written under ("podSpec" in kuberun).
void finish_pod(PodSettings& settings, const std::string& namespace_hint, bool metadata_namespace_written,
                const std::string& path, const char* code, const std::string& spec_key = "spec");

// The Kubernetes spelling of a PodSpec field named in any letter case
// ("restartpolicy" -> "restartPolicy"), nullopt when there is no such field.
std::optional<std::string_view> pod_spec_field(std::string_view key);

// A Kubernetes label or annotation key: [prefix/]name, name up to 63
// characters of [A-Za-z0-9._-] with alphanumeric ends, prefix a DNS subdomain.
bool is_qualified_name(std::string_view key);

}  // namespace backend_kubernetes
