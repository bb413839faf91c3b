// backend-kubernetes: ContainerSSH's Kubernetes backend. Every SSH
// connection (or session, in session mode) runs in a pod of the configured
// cluster, or execs into the user's existing pod (persistent mode); the
// plugin talks to the API server itself, on the host's event loop, and
// speaks exec and attach over WebSocket.
#include "api/api_client.hpp"
#include "api_credentials.hpp"
#include "connection_context.hpp"
#include "instance_lease.hpp"
#include "kubernetes_config.hpp"
#include "kubernetes_connection.hpp"
#include "messages.hpp"
#include "orphan_collector.hpp"

#include <containerssh/sdk/backend.hpp>
#include <containerssh/sdk/plugin.hpp>
#include <csh/backend_support/instance_id.hpp>
#include <csh/backend_support/remote_ip.hpp>

#include <simdjson.h>

#include <memory>

namespace backend_kubernetes {

namespace {

using csh::sdk::BackendOpenCompletion;
using csh::sdk::ConnectionInfo;

bool kuberun_selected(const csh::sdk::Host& host) { return host.config_section("backend") == "\"kuberun\""; }

// backend: kuberun selects this plugin too (the core hands it the kuberun section).
KubernetesConfig read_config(const csh::sdk::Host& host) {
    if (kuberun_selected(host)) {
        return KubernetesConfig::from_kuberun_section(host.config_section("kuberun"), codes::KUBERNETES_CONFIG_ERROR);
    }
    return KubernetesConfig::from_section(host.config_section("kubernetes"), codes::KUBERNETES_CONFIG_ERROR);
}

// `json` compacted, or of its `member` (the "kubernetes" or legacy
// "kuberun" section) when one is named; "" when it is not JSON or has no such
// member.
std::string compact_section(std::string_view json, const char* member = nullptr) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) return {};
    if (member == nullptr) return simdjson::minify(root);
    simdjson::dom::element section;
    return root[member].get(section) == simdjson::SUCCESS ? simdjson::minify(section) : std::string();
}

// The same server reached the same way with the same credentials, so one
// client (its connector, limiter and token file) serves both.
bool same_access(const ApiConnection& a, const ApiConnection& b) {
    return a.endpoint == b.endpoint && a.api_path == b.api_path && a.username == b.username &&
           a.password == b.password && a.bearer_token == b.bearer_token &&
           a.bearer_token_file == b.bearer_token_file && a.qps == b.qps && a.burst == b.burst;
}

std::shared_ptr<ApiClient> api_client(const csh::sdk::Host& host, const KubernetesConfig& config,
                                      std::shared_ptr<const csh::backend_support::BackendMetrics> metrics) {
    ApiAccess access;
    try {
        access.connector = csh::loop_http::Connector::create(host, config.connection.endpoint);
    } catch (const csh::loop_http::TlsSetupError& e) {
        throw csh::sdk::Error(codes::KUBERNETES_CONFIG_ERROR,
                              std::string("invalid configuration at kubernetes.connection: ") + e.what(),
                              {{"key", "kubernetes.connection"}});
    }
    // The core group lives at <path>/v1; other groups at /apis under the
    // same prefix (a proxy may serve the whole API below one).
    const std::string& path = config.connection.api_path;
    if (path.size() >= 4 && path.compare(path.size() - 4, 4, "/api") == 0) {
        access.prefix = path.substr(0, path.size() - 4);
        access.core_path = "/api";
    } else {
        access.core_path = path;
    }
    auto credentials = std::make_shared<ApiCredentials>(config.connection);
    access.authorization = [credentials, host] {
        std::string problem;
        std::string header = credentials->authorization(problem);
        if (!problem.empty()) {
            host.log(codes::KUBERNETES_CONFIG_ERROR, "the bearer token file cannot be read again; the last token stays in use: " + problem);
        }
        return header;
    };
    access.http_timeout = config.timeouts.http;
    access.limiter = std::make_shared<RateLimiter>(config.connection.qps, static_cast<int>(config.connection.burst));
    return std::make_shared<ApiClient>(host, std::move(access), std::move(metrics));
}

}  // namespace

class KubernetesBackendPlugin final : public csh::sdk::BackendPlugin {
public:
    explicit KubernetesBackendPlugin(csh::sdk::Host host)
        : Plugin(host),
          config_(std::make_shared<const KubernetesConfig>(read_config(this->host()))),
          section_name_(kuberun_selected(this->host()) ? "kuberun" : "kubernetes"),
          section_text_(compact_section(this->host().config_section(section_name_))),
          metrics_(std::make_shared<const csh::backend_support::BackendMetrics>(this->host(), "kubernetes")),
          api_(api_client(this->host(), *config_, metrics_)),
          live_(std::make_shared<LiveConnections>()),
          instance_id_(csh::backend_support::gateway_instance_id(this->host(), codes::KUBERNETES_CONFIG_ERROR)),
          lease_(std::make_shared<InstanceLease>(this->host(), api_, config_->pod.namespace_name, instance_id_)),
          collector_(std::make_shared<OrphanCollector>(
              this->host(), api_, live_, config_->pod.namespace_name, instance_id_,
              std::chrono::duration_cast<std::chrono::seconds>(config_->timeouts.pod_stop))) {
        for (const ConfigNotice& notice : config_->notices) {
            this->host().log(notice.code, notice.message, {{"key", notice.key}});
        }
        this->host().log(codes::KUBERNETES_BACKEND_READY, "Kubernetes backend ready",
                         {{"server", config_->connection.display()},
                          {"authentication", config_->connection.describe_authentication()},
                          {"mode", std::string(mode_name(config_->pod.mode))},
                          {"namespace", config_->pod.namespace_name},
                          {"instance", instance_id_}});
        if (config_->pod.disable_agent) {
            this->host().log(codes::KUBERNETES_GUEST_AGENT_DISABLED, "the guest agent is disabled (disableAgent)");
        }
        // The lease first: a replica that sees our pods before our lease
        // exists would take us for gone.
        std::weak_ptr<OrphanCollector> collector = collector_;
        lease_->start([collector] {
            if (auto c = collector.lock()) c->start();
        });
    }

protected:
    void open_connection(const ConnectionInfo& connection, std::string_view config_json,
                         BackendOpenCompletion done) override {
        auto context = std::make_shared<ConnectionContext>();
        try {
            // Most connections run with the file's settings: reuse them
            // rather than parse them and read the credential files again.
            const std::string effective = compact_section(config_json, section_name_);
            auto config = effective.empty() || effective == section_text_
                              ? config_
                              : std::make_shared<const KubernetesConfig>(KubernetesConfig::from_effective_config(
                                    config_json, *config_, codes::KUBERNETES_CONFIG_ERROR));
            context->api = same_access(config->connection, config_->connection)
                               ? api_
                               : api_client(host(), *config, metrics_);
            context->config = std::move(config);
        } catch (const csh::sdk::Error& e) {
            host().log_current_exception("backend.connection_open", connection.connection());
            done.fail(e.what(), CSH_FAILED, "Your pod configuration is invalid; please contact the administrator.");
            return;
        }
        context->host = host();
        context->live = live_;
        context->strand = connection.strand();
        context->work = std::make_shared<PendingWork>(host(), context->strand);
        context->connection = connection.connection();
        context->connection_id = std::string(connection.connection_id());
        context->username = std::string(connection.effective_username());
        context->remote_ip = csh::backend_support::remote_ip(connection.remote_address());
        context->instance_id = instance_id_;
        const csh::sdk::Metadata metadata = connection.metadata_copy();
        for (const auto& item : metadata.items()) {
            if (item.kind == CSH_METADATA_ENVIRONMENT) {
                context->environment.emplace_back(item.key, item.value);
            } else if (item.kind == CSH_METADATA_FILE) {
                context->files[item.key] = item.value;
            } else {
                context->metadata[item.key] = item.value;
            }
        }
        auto completion = std::make_shared<BackendOpenCompletion>(std::move(done));
        KubernetesConnection::open(std::move(context), [completion](std::shared_ptr<KubernetesConnection> opened,
                                                                    const std::string& user_error) {
            if (opened) {
                completion->success(std::move(opened));
            } else {
                completion->fail(user_error, CSH_FAILED, user_error);
            }
        });
    }

private:
    std::shared_ptr<const KubernetesConfig> config_;
    const char* section_name_;   // the section the file's backend reads
    std::string section_text_;  // the file's section, compacted
    std::shared_ptr<const csh::backend_support::BackendMetrics> metrics_;
    std::shared_ptr<ApiClient> api_;
    std::shared_ptr<LiveConnections> live_;
    std::string instance_id_;
    std::shared_ptr<InstanceLease> lease_;
    std::shared_ptr<OrphanCollector> collector_;
};

}  // namespace backend_kubernetes

CSH_DECLARE_PLUGIN(backend_kubernetes::KubernetesBackendPlugin, "io.containerssh.backend.kubernetes",
                   "Kubernetes backend", "0.1.0",
                   "Runs every SSH connection or session in a pod of a Kubernetes cluster (or execs into an "
                   "existing pod in persistent mode).",
                   CSH_PROVIDES("backend/kubernetes"), backend_kubernetes::kMessageTable)
