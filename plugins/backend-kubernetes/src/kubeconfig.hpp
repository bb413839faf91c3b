// connection.kubeconfig (ours): the cluster, user and namespace of one
// context of a kubeconfig file, as kubectl reads them. Credential plugins
// (exec, auth-provider) run programs and are refused.
#pragma once

#include "setting.hpp"

#include <string>

namespace backend_kubernetes {

struct KubeconfigSelection {
    std::string context;
    std::string server;          // clusters[].cluster.server
    std::string tls_server_name;
    std::string cacert_pem;      // certificate-authority(-data)
    std::string cert_pem;        // client-certificate(-data)
    std::string key_pem;         // client-key(-data); SECRET
    std::string token;           // SECRET
    std::string token_file;
    std::string username;
    std::string password;        // SECRET
    std::string namespace_name;  // contexts[].context.namespace
};

// Reads `file` (relative paths inside it are taken from its directory) and
// selects `context`, or the file's current-context when empty. Problems are
// reported at `at` (connection.kubeconfig) with the kubeconfig's own key path.
KubeconfigSelection read_kubeconfig(const Setting& at, const std::string& file, const std::string& context);

}  // namespace backend_kubernetes
