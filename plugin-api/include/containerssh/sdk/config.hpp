// Configuration plugins (containerssh.config/1): per-connection settings.
#pragma once

#include <containerssh/sdk/completion.hpp>
#include <containerssh/sdk/connection_info.hpp>
#include <containerssh/sdk/metadata.hpp>
#include <containerssh/sdk/plugin.hpp>

#include <string_view>
#include <vector>

namespace csh::sdk {

// Wraps csh_config_completion. A forgotten one answers CSH_FAILED.
class ConfigCompletion {
public:
    ConfigCompletion(Host host, csh_config_completion raw, const char* what, csh_connection* connection = nullptr)
        : guard_(std::move(host), what, connection), raw_(raw) {}
    ConfigCompletion(ConfigCompletion&&) noexcept = default;
    ConfigCompletion& operator=(ConfigCompletion&&) = delete;
    ~ConfigCompletion() {
        if (guard_.claim_orphaned()) send(CSH_FAILED, {}, Metadata(), {}, guard_.orphan_reason());
    }

    bool pending() const { return guard_.pending(); }

    // `config_json` is a JSON object with the keys to override ("{}" for none).
    void success(std::string_view config_json, const Metadata& metadata = {},
                 std::string_view authenticated_username = {}) {
        complete(CSH_OK, config_json, metadata, authenticated_username, {});
    }
    void fail(std::string_view reason, csh_status status = CSH_FAILED) {
        complete(status, {}, Metadata(), {}, reason);
    }
    void complete(csh_status status, std::string_view config_json, const Metadata& metadata,
                  std::string_view authenticated_username, std::string_view reason) {
        if (guard_.claim()) send(status, config_json, metadata, authenticated_username, reason);
    }

private:
    void send(csh_status status, std::string_view config_json, const Metadata& metadata, std::string_view user,
              std::string_view reason) {
        const std::vector<csh_metadata_entry> entries = metadata.entries();
        csh_config_result result{};
        result.struct_size = sizeof(result);
        result.status = status;
        result.config_json = to_str(config_json);
        result.metadata = csh_metadata{entries.data(), entries.size()};
        result.authenticated_username = to_str(user);
        result.reason = to_str(reason);
        raw_.complete(raw_.context, &result);
    }

    detail::CompletionGuard guard_;
    csh_config_completion raw_;
};

class ConfigPlugin : public virtual Plugin {
public:
    const void* get_interface(std::string_view interface_id) override {
        return interface_id == CSH_CONFIG_INTERFACE_ID ? &table_ : Plugin::get_interface(interface_id);
    }

protected:
    ConfigPlugin() = default;

    // [connection-strand] Fetches this connection's configuration.
    virtual void connection_config(const ConnectionInfo& connection, ConfigCompletion done) = 0;

private:
    static void connection_config_entry(csh_plugin_instance* instance, const csh_connection_info* connection,
                                        csh_config_completion done) {
        ConfigPlugin& self = kind_of<ConfigPlugin>(instance);
        ConfigCompletion completion(self.host(), done, "config.connection_config", connection->connection);
        try {
            self.connection_config(ConnectionInfo(*connection), std::move(completion));
        } catch (...) {
            self.host().log_current_exception("config.connection_config", connection->connection);
        }
    }

    csh_config_interface table_{sizeof(csh_config_interface), 0, &connection_config_entry};
};

}  // namespace csh::sdk
