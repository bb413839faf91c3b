// The `kubernetes` configuration section of backend-kubernetes (reference §2.8):
//
//   kubernetes:
//     connection:
//       host: kubernetes.default.svc     # host, host:port or https://host[:port][/base]
//       path: /api
//       username: ""  password: ""       # basic authentication
//       serverName: ""                   # the name the server's certificate must carry
//       certFile: ""  keyFile: ""  cacertFile: ""
//       cert: ""  key: ""  cacert: ""    # inline PEM; wins over the *File keys, as in ContainerSSH
//       bearerToken: ""  bearerTokenFile: ""
//       qps: 5  burst: 10
//       kubeconfig: ""  kubeconfigContext: ""   # ours
//     pod:
//       metadata: {namespace: default, generateName: containerssh-}   # Kubernetes ObjectMeta
//       spec: {containers: [{name: shell, image: containerssh/containerssh-guest-image}]}
//       consoleContainerNumber: 0
//       mode: connection                 # connection | session | persistent
//       createMissingPods: false         # persistent mode only
//       idleCommand: [...]  shellCommand: [/bin/bash]  agentPath: ...  disableAgent: false
//       subsystems: {sftp: /usr/lib/openssh/sftp-server}
//       exposeAuthMetadataAsEnv: {}  exposeAuthMetadataAsLabels: {}  exposeAuthMetadataAsAnnotations: {}
//     timeouts: {podStart: 60s, podStop: 60s, commandStart: 60s, signal: 60s, window: 60s, http: 15s}
//
// The section is this plugin's alone: the core hands it over as the file
// (merged with a configuration server's answer) wrote it. This unit owns its
// keys and their defaults (the member initialisers below, the only copy); it
// refuses unknown keys and wrong values with a csh::sdk::Error carrying the
// caller's code and a message naming the key path (kubernetes.pod.mode),
// never the value: tokens, passwords and keys live here.
//
// Ours, beyond ContainerSSH: when nothing says how to authenticate, the
// service account of the pod the gateway runs in is used (in-cluster), and
// connection.kubeconfig reads a kubeconfig file. See docs/kubernetes.md.
#pragma once

#include <csh/loop_http/endpoint.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace backend_kubernetes {

enum class ExecutionMode { connection, session, persistent };

// The configuration spelling, for log lines: "connection".
std::string_view mode_name(ExecutionMode mode);

// Where the connection settings came from, for the ready line.
enum class CredentialSource { settings, in_cluster, kubeconfig };

// kubernetes.connection: where the API server listens and how to log in.
struct ApiConnection {
    // TCP with TLS, always: the API server is never spoken to in clear, and
    // its certificate is always verified (cacert, or the system's trust store).
    csh::loop_http::Endpoint endpoint{csh::loop_http::Endpoint::Kind::tcp, "", "kubernetes.default.svc", 443, true};
    // The API root: the server URL's own path (a proxy such as Rancher puts
    // clusters under one) followed by `path`; "/api" by default. Requests go
    // to api_path + "/v1/namespaces/...".
    std::string api_path = "/api";
    std::string username;           // basic authentication
    std::string password;           // SECRET
    std::string bearer_token;       // SECRET
    // Re-read while running (projected service-account tokens rotate); see
    // api_credentials.hpp. Wins over bearer_token, as in ContainerSSH.
    std::string bearer_token_file;
    double qps = 5;
    std::uint64_t burst = 10;
    std::string kubeconfig;          // the file, when one was used
    std::string kubeconfig_context;  // the context used from it
    CredentialSource source = CredentialSource::settings;

    // "bearer token file", "client certificate", ... for the ready line; no secret.
    std::string describe_authentication() const;
    // https://host:port plus api_path, for log lines.
    std::string display() const;
};

struct KubernetesTimeouts {
    std::chrono::milliseconds pod_start{60000};
    std::chrono::milliseconds pod_stop{60000};
    std::chrono::milliseconds command_start{60000};
    std::chrono::milliseconds signal{60000};
    std::chrono::milliseconds window{60000};
    std::chrono::milliseconds http{15000};
};

// kubernetes.pod
struct PodSettings {
    // pod.metadata and pod.spec as compact JSON in Kubernetes' own field
    // names, passed on to the API server as written (keys given in the file
    // replace these defaults one by one at the top level of each object).
    std::string metadata_json = R"({"namespace":"default","generateName":"containerssh-"})";
    std::string spec_json = R"({"containers":[{"name":"shell","image":"containerssh/containerssh-guest-image"}]})";
    std::uint64_t console_container_number = 0;
    ExecutionMode mode = ExecutionMode::connection;
    bool create_missing_pods = false;
    std::vector<std::string> idle_command{"/usr/bin/containerssh-agent", "wait-signal", "--signal", "INT",
                                          "--signal", "TERM"};
    std::vector<std::string> shell_command{"/bin/bash"};
    std::string agent_path = "/usr/bin/containerssh-agent";
    bool disable_agent = false;
    std::map<std::string, std::string> subsystems{{"sftp", "/usr/lib/openssh/sftp-server"}};
    // metadata name -> environment variable, label or annotation name.
    std::map<std::string, std::string> expose_auth_metadata_as_env;
    std::map<std::string, std::string> expose_auth_metadata_as_labels;
    std::map<std::string, std::string> expose_auth_metadata_as_annotations;

    // Read from metadata_json and spec_json once they are final:
    std::string namespace_name;       // metadata.namespace
    std::string pod_name;             // metadata.name; "" lets generateName choose
    std::string console_container;    // spec.containers[console_container_number].name
    std::string console_image;        // and its image
};

// A setting that is accepted but deserves a line at start-up: logged by the
// plugin with `code` (KUBERNETES_CONFIG_NOTICE, KUBERUN_DEPRECATED, ...).
struct ConfigNotice {
    const char* code;
    std::string key;      // the key path it is about
    std::string message;  // what to change; never a secret
};

struct KubernetesConfig {
    ApiConnection connection;
    PodSettings pod;
    KubernetesTimeouts timeouts;
    // The legacy kuberun section was read (KubernetesConfig::from_kuberun_section).
    bool from_kuberun = false;
    // kuberun.pod.disableCommand: exec requests are refused with
    // KUBERUN_EXEC_DISABLED (shells and subsystems still run).
    bool exec_disabled = false;
    std::vector<ConfigNotice> notices;
    // The namespace the credentials suggest (service account, kubeconfig
    // context), used when pod.metadata names none; and whether it names one.
    std::string namespace_hint;
    bool namespace_written = false;

    // ContainerSSH's defaults, with in-cluster detection applied.
    static KubernetesConfig defaults();
    // `section_json` is the plugin's section (Host::config_section("kubernetes")),
    // "null" when the file has none. Throws csh::sdk::Error(error_code).
    static KubernetesConfig from_section(std::string_view section_json, const char* error_code);
    // `config_json` is one connection's whole effective configuration (the
    // file merged with the config server's answer). Each key of its
    // "kubernetes" member replaces the same key of `base`; a connection block
    // present is read as a whole (keys it lacks take their defaults). Returns
    // `base` when there is no "kubernetes" member. Throws csh::sdk::Error(error_code).
    static KubernetesConfig from_effective_config(std::string_view config_json, const KubernetesConfig& base,
                                                  const char* error_code);
    // The legacy `kuberun` section (backend: kuberun), mapped onto this
    // backend as ContainerSSH 0.4 did (kuberun_config.cpp). Throws
    // csh::sdk::Error(error_code), or with KUBERUN_INSECURE for insecure: true.
    static KubernetesConfig from_kuberun_section(std::string_view section_json, const char* error_code);
};

// Where the service-account files of a pod live (token, ca.crt, namespace):
// /var/run/secrets/kubernetes.io/serviceaccount, or the directory named by
// CONTAINERSSH_KUBERNETES_SERVICE_ACCOUNT_DIR (for tests).
std::string service_account_dir();

}  // namespace backend_kubernetes
