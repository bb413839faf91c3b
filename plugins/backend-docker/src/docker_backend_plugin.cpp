// backend-docker: ContainerSSH's Docker backend. Every SSH connection (or
// session, in session mode) runs in a fresh container of the configured
// Docker engine; the plugin talks to the Engine API itself, on the host's
// event loop.
#include "docker_config.hpp"
#include "docker_connection.hpp"
#include "engine/engine_client.hpp"
#include "engine/engine_metrics.hpp"
#include "messages.hpp"
#include "orphan_collector.hpp"

#include <containerssh/sdk/backend.hpp>
#include <containerssh/sdk/json_config.hpp>
#include <containerssh/sdk/plugin.hpp>
#include <csh/backend_support/instance_id.hpp>
#include <csh/backend_support/remote_ip.hpp>

#include <simdjson.h>

#include <memory>

namespace backend_docker {

namespace {

using csh::sdk::BackendOpenCompletion;
using csh::sdk::ConnectionInfo;

// `json` compacted, or of its "docker" member when `member` is set; "" when
// it is not JSON or has no such member. Compares the effective docker
// settings of a connection with the file's without reading them again.
std::string compact_docker_section(std::string_view json, bool member) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) return {};
    if (!member) return simdjson::minify(root);
    simdjson::dom::element docker;
    return root["docker"].get(docker) == simdjson::SUCCESS ? simdjson::minify(docker) : std::string();
}

// The engine's client for `endpoint`; unusable TLS material is a
// configuration error at docker.connection.
std::shared_ptr<EngineClient> engine_client(const csh::sdk::Host& host, const EngineEndpoint& endpoint,
                                            const DockerConfig& config,
                                            std::shared_ptr<const EngineMetrics> metrics) {
    try {
        return std::make_shared<EngineClient>(host, csh::loop_http::Connector::create(host, endpoint),
                                              config.timeouts.http, std::move(metrics));
    } catch (const csh::loop_http::TlsSetupError& e) {
        throw csh::sdk::Error(codes::DOCKER_CONFIG_ERROR,
                              std::string("invalid configuration at docker.connection: ") + e.what(),
                              {{"key", "docker.connection"}});
    }
}

}  // namespace

class DockerBackendPlugin final : public csh::sdk::BackendPlugin {
public:
    explicit DockerBackendPlugin(csh::sdk::Host host)
        : Plugin(host),
          config_(std::make_shared<const DockerConfig>(
              DockerConfig::from_section(this->host().config_section("docker"), codes::DOCKER_CONFIG_ERROR))),
          section_text_(compact_docker_section(this->host().config_section("docker"), false)),
          metrics_(std::make_shared<const EngineMetrics>(this->host())),
          engine_(engine_client(this->host(), config_->connection, *config_, metrics_)),
          live_(std::make_shared<LiveConnections>()),
          instance_id_(csh::backend_support::gateway_instance_id(this->host(), codes::DOCKER_CONFIG_ERROR)),
          collector_(std::make_shared<OrphanCollector>(this->host(), engine_, live_, instance_id_,
                                                       config_->timeouts.container_stop)) {
        this->host().log(codes::DOCKER_BACKEND_READY, "Docker backend ready",
                         {{"engine", config_->connection.display()},
                          {"mode", mode_name(config_->mode)},
                          {"image", config_->image},
                          {"instance", instance_id_}});
        if (config_->disable_agent) {
            this->host().log(codes::DOCKER_GUEST_AGENT_DISABLED, "the guest agent is disabled (disableAgent)");
        }
        collector_->start();
    }

protected:
    void open_connection(const ConnectionInfo& connection, std::string_view config_json,
                         BackendOpenCompletion done) override {
        auto context = std::make_shared<ConnectionContext>();
        try {
            // Most connections run with the file's settings: reuse them
            // rather than parse them and read the TLS files again.
            auto config = compact_docker_section(config_json, true) == section_text_
                              ? config_
                              : std::make_shared<const DockerConfig>(DockerConfig::from_effective_config(
                                    config_json, *config_, codes::DOCKER_CONFIG_ERROR));
            context->engine = config->connection == config_->connection
                                  ? engine_
                                  : engine_client(host(), config->connection, *config, metrics_);
            context->config = std::move(config);
        } catch (const csh::sdk::Error& e) {
            host().log_current_exception("backend.connection_open", connection.connection());
            done.fail(e.what(), CSH_FAILED, "Your container configuration is invalid; please contact the administrator.");
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
            if (item.kind == CSH_METADATA_ENVIRONMENT ||
                (item.kind == CSH_METADATA_GENERIC && context->config->expose_auth_metadata_as_env)) {
                context->environment.push_back(item.key + "=" + item.value);
            } else if (item.kind == CSH_METADATA_FILE) {
                context->files[item.key] = item.value;
            }
        }
        auto completion = std::make_shared<BackendOpenCompletion>(std::move(done));
        DockerConnection::open(std::move(context), [completion](std::shared_ptr<DockerConnection> opened,
                                                                const std::string& user_error) {
            if (opened) {
                completion->success(std::move(opened));
            } else {
                completion->fail(user_error, CSH_FAILED, user_error);
            }
        });
    }

private:
    std::shared_ptr<const DockerConfig> config_;
    std::string section_text_;  // the file's docker section, compacted
    // Defined here, at init, and shared by every engine client.
    std::shared_ptr<const EngineMetrics> metrics_;
    std::shared_ptr<EngineClient> engine_;
    std::shared_ptr<LiveConnections> live_;
    std::string instance_id_;
    std::shared_ptr<OrphanCollector> collector_;
};

}  // namespace backend_docker

CSH_DECLARE_PLUGIN(backend_docker::DockerBackendPlugin, "io.containerssh.backend.docker", "Docker backend", "0.1.0",
                   "Runs every SSH connection or session in a fresh container of a Docker engine (Engine API over a "
                   "unix socket or TCP with TLS).",
                   CSH_PROVIDES("backend/docker"), backend_docker::kMessageTable)
