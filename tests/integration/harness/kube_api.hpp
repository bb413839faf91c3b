// The Kubernetes side of the integration suites: the test API server of
// tests/kube-api-server (pods as containers of the shared Docker engine,
// exec/attach over WebSocket, leases), run as a child process with a fresh
// PKI, and the real kubectl binaries to drive or inspect it.
#pragma once

#include "temp_dir.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace csh::test {
class Child;
}

namespace csh::test::kube {

struct CliResult {
    int exit_code;
    std::string out;
    std::string err;
};

// /usr/lib/google-cloud-sdk/bin/kubectl.<version>, version e.g. "1.33".
std::string kubectl_binary(const std::string& version);

// The test API server on 127.0.0.1:<free port>, serving HTTPS with a CA of
// its own. Authentication: the client certificate (CN=containerssh,
// O=system:masters) or the bearer token. Its Docker containers carry the
// label io.containerssh.kube-api-server/instance=<instance()>. If the test
// process dies, the server dies with it and a watchdog removes its containers.
class KubeApiServer {
public:
    explicit KubeApiServer(std::string docker_host = {});
    ~KubeApiServer();  // stops it and removes every Docker container and volume it made
    KubeApiServer(const KubeApiServer&) = delete;
    KubeApiServer& operator=(const KubeApiServer&) = delete;

    std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }
    int port() const { return port_; }
    std::string ca_pem() const;
    std::string client_cert_pem() const;
    std::string client_key_pem() const;
    std::string token() const { return token_; }
    std::string pki_dir() const;
    // A kubeconfig with the client certificate (namespace default), and one
    // with the bearer token instead.
    std::string kubeconfig_path() const;
    std::string token_kubeconfig_path() const;
    std::string instance() const { return instance_; }
    std::string docker_host() const { return docker_host_; }
    // The server's stderr so far (requests are logged: it runs with --verbose).
    std::string log() const;

    // An API server outage: the process ends (SIGTERM); the pods' containers
    // keep running. start() brings it back on the same port with the same
    // PKI and state, and it finds its pods again.
    void stop();
    void start();
    bool running() const { return process_ != nullptr; }

    // `kubectl.<version> args...` with kubeconfig_path() (KUBECONFIG), a
    // discovery cache of this server's own, and the extra environment given.
    // For 1.29, KUBECTL_REMOTE_COMMAND_WEBSOCKETS=true (exec and attach over
    // WebSocket); 1.27 and 1.28 cannot exec here (SPDY only), and need
    // `create --validate=false`.
    CliResult kubectl(const std::string& version, const std::vector<std::string>& args,
                      const std::string& input = "", const std::map<std::string, std::string>& env = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;
    // The PodList JSON of a namespace ("" for all), optionally filtered by a
    // label selector (curl with the client certificate).
    std::string pods_json(const std::string& namespace_name, const std::string& label_selector = "") const;
    // Ids of this server's Docker containers, running or not.
    std::vector<std::string> containers() const;

private:
    TempDir dir_;
    std::string docker_host_;
    std::string token_;
    std::string instance_;
    int port_ = 0;
    std::unique_ptr<Child> process_;
    std::unique_ptr<Child> watchdog_;
};

}  // namespace csh::test::kube
