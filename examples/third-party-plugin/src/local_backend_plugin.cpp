// backend-local: runs each session's program as a child process of the
// gateway. Built only for tests: it gives the core's tests a real backend
// without Docker.
#include "child_reaper.hpp"
#include "local_config.hpp"
#include "local_connection.hpp"
#include "messages.hpp"

#include <containerssh/sdk/backend.hpp>
#include <containerssh/sdk/plugin.hpp>

#include <memory>

namespace backend_local {

using csh::sdk::BackendOpenCompletion;
using csh::sdk::ConnectionInfo;

class LocalBackendPlugin final : public csh::sdk::BackendPlugin {
public:
    explicit LocalBackendPlugin(csh::sdk::Host host)
        : Plugin(host),
          config_(LocalConfig::from_section(host.config_section("local"), LocalConfig::defaults())),
          reaper_(ChildReaper::create(this->host(), config_.exit_notification)) {
        this->host().log(codes::BACKEND_LOCAL_CONFIGURED, "local backend ready",
                         {{"childExitNotification", reaper_->mechanism()}, {"workdir", config_.workdir}});
    }

protected:
    void open_connection(const ConnectionInfo& connection, std::string_view config_json,
                         BackendOpenCompletion done) override {
        LocalConfig config;
        try {
            config = LocalConfig::from_effective_config(config_json, config_);
        } catch (const csh::sdk::Error& e) {
            host().log_current_exception("backend.connection_open", connection.connection());
            done.fail(e.what());
            return;
        }
        const auto user = connection.effective_username();
        for (const auto& refused : config.refuse_users) {
            if (refused == user) {
                done.fail("local.refuseUsers names this user", CSH_FAILED, "The local backend refuses this user.");
                return;
            }
        }
        std::vector<std::pair<std::string, std::string>> environment;
        const csh::sdk::Metadata metadata = connection.metadata_copy();
        for (const auto& item : metadata.items()) {
            if (item.kind == CSH_METADATA_ENVIRONMENT) environment.emplace_back(item.key, item.value);
        }
        auto state = std::make_shared<ConnectionState>(host(), std::move(config), *reaper_, connection.connection(),
                                                       std::move(environment));
        done.success(std::make_shared<LocalConnection>(host(), std::move(state)));
    }

private:
    LocalConfig config_;
    std::unique_ptr<ChildReaper> reaper_;
};

}  // namespace backend_local

CSH_DECLARE_PLUGIN(backend_local::LocalBackendPlugin, "io.containerssh.test.backend.local", "Local process backend",
                   "1.0.0", "Runs each session's program as a child process of the gateway; for tests only.",
                   CSH_PROVIDES("backend/local"), backend_local::kMessageTable)
