// kubernetes.connection: the API server's address, its TLS material and the
// credentials, from the section's keys, a kubeconfig file, or the service
// account of the pod the gateway runs in (in-cluster).
#pragma once

#include "kubernetes_config.hpp"
#include "setting.hpp"

#include <optional>
#include <string>
#include <vector>

namespace backend_kubernetes {

struct ConnectionResult {
    ApiConnection connection;
    // The namespace the credentials' source suggests (the service account's
    // namespace file, or the kubeconfig context's namespace); "" when none.
    // Used when pod.metadata.namespace was not written.
    std::string namespace_hint;
};

// `connection` is kubernetes.connection, nullopt when the section has none.
// `path` is the key path of the block for messages made without a setting.
// `legacy_kuberun`: the block is kuberun.connection, which has insecure and
// timeout too (read by the caller) and no kubeconfig.
ConnectionResult read_connection(const std::optional<Setting>& connection, const std::string& path,
                                 std::vector<ConfigNotice>& notices, bool legacy_kuberun = false);

// Sets the endpoint's host and port from a server address as ContainerSSH
// takes it (host, host:port, https://host[:port][/base]) and returns the
// address's own path ("" or "/base"); throws at `at`.
std::string read_server_address(const Setting& at, std::string_view address, ApiConnection& connection);

}  // namespace backend_kubernetes
