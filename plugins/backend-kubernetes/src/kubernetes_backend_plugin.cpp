// backend-kubernetes: ContainerSSH's Kubernetes backend. PLACEHOLDER: it
// reads and checks the kubernetes (or legacy kuberun) section at start-up and
// registers the code table, but opens no connection yet; the backend itself
// replaces this file.
#include "kubernetes_config.hpp"
#include "messages.hpp"

#include <containerssh/sdk/backend.hpp>
#include <containerssh/sdk/plugin.hpp>

namespace backend_kubernetes {

namespace {

// backend: kuberun selects this plugin too (the core hands it the kuberun section).
KubernetesConfig read_config(const csh::sdk::Host& host) {
    if (host.config_section("backend") == "\"kuberun\"") {
        return KubernetesConfig::from_kuberun_section(host.config_section("kuberun"), codes::KUBERNETES_CONFIG_ERROR);
    }
    return KubernetesConfig::from_section(host.config_section("kubernetes"), codes::KUBERNETES_CONFIG_ERROR);
}

}  // namespace

class KubernetesBackendPlugin final : public csh::sdk::BackendPlugin {
public:
    explicit KubernetesBackendPlugin(csh::sdk::Host host) : Plugin(host), config_(read_config(this->host())) {
        for (const ConfigNotice& notice : config_.notices) {
            this->host().log(notice.code, notice.message, {{"key", notice.key}});
        }
        this->host().log(codes::KUBERNETES_BACKEND_READY, "Kubernetes backend configured (not implemented yet)",
                         {{"server", config_.connection.display()},
                          {"authentication", config_.connection.describe_authentication()},
                          {"mode", std::string(mode_name(config_.pod.mode))},
                          {"namespace", config_.pod.namespace_name}});
        if (config_.pod.disable_agent) {
            this->host().log(codes::KUBERNETES_GUEST_AGENT_DISABLED, "the guest agent is disabled");
        }
    }

protected:
    void open_connection(const csh::sdk::ConnectionInfo& connection, std::string_view,
                         csh::sdk::BackendOpenCompletion done) override {
        (void)connection;
        done.fail("the Kubernetes backend is not implemented yet", CSH_FAILED,
                  "This server's backend is not available; please contact the administrator.");
    }

private:
    KubernetesConfig config_;
};

}  // namespace backend_kubernetes

CSH_DECLARE_PLUGIN(backend_kubernetes::KubernetesBackendPlugin, "io.containerssh.backend.kubernetes",
                   "Kubernetes backend", "0.1.0",
                   "Runs every SSH connection or session in a pod of a Kubernetes cluster (or execs into an "
                   "existing pod in persistent mode).",
                   CSH_PROVIDES("backend/kubernetes"), backend_kubernetes::kMessageTable)
