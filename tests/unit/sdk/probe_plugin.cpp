#include "probe_plugin.hpp"

#include <containerssh/sdk/auth.hpp>
#include <containerssh/sdk/config.hpp>
#include <containerssh/sdk/metrics.hpp>
#include <containerssh/sdk/plugin.hpp>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace probe {

using csh::sdk::AuthCompletion;
using csh::sdk::ConfigCompletion;
using csh::sdk::ConnectionInfo;

class ProbePlugin final : public csh::sdk::AuthPlugin, public csh::sdk::ConfigPlugin, public csh::sdk::MetricsPlugin {
public:
    explicit ProbePlugin(csh::sdk::Host host) : Plugin(host) {
        if (this->host().config_section("probe").find("failInit") != std::string_view::npos) {
            throw csh::sdk::Error(codes::PROBE_INIT_REFUSED, "told to fail", {{"key", "probe.failInit"}});
        }
        this->host().log(codes::PROBE_READY, "probe ready");
    }

    // Several kinds in one class: ask each base in turn.
    const void* get_interface(std::string_view id) override {
        if (const void* table = AuthPlugin::get_interface(id)) return table;
        if (const void* table = ConfigPlugin::get_interface(id)) return table;
        return MetricsPlugin::get_interface(id);
    }

protected:
    uint32_t auth_methods() const override {
        return CSH_AUTH_METHOD_PASSWORD | CSH_AUTH_METHOD_KEYBOARD_INTERACTIVE | CSH_AUTH_METHOD_AUTHORIZATION;
    }

    // Asks one question; "42" logs in.
    void keyboard_interactive(const ConnectionInfo& connection, csh::sdk::KbdIntPrompt prompt,
                              AuthCompletion done) override {
        auto shared = std::make_shared<AuthCompletion>(std::move(done));
        const std::string user(connection.username());
        prompt.ask("probe", "answer the question", {{"The answer?", true}},
                   [shared, user](std::optional<std::vector<std::string>> answers) {
                       if (!answers) {
                           shared->unavailable("the client went away");
                       } else if (answers->size() == 1 && answers->front() == "42") {
                           shared->success(user);
                       } else {
                           shared->failure("wrong answer");
                       }
                   });
    }

    void password(const ConnectionInfo& connection, std::string_view password, AuthCompletion done) override {
        const std::string_view user = connection.username();
        if (user == "throw") throw std::runtime_error("the probe was asked to throw");
        if (user == "throw-coded") throw csh::sdk::Error(codes::PROBE_REFUSED_LOUDLY, "refused loudly");
        if (user == "forget") return;
        if (user == "twice") {
            done.success("first");
            done.success("second");
            return;
        }
        if (user == "later") {
            auto shared = std::make_shared<AuthCompletion>(std::move(done));
            host().post(connection.strand(), [shared] { shared->success("later-user"); });
            return;
        }
        done.success(std::string(user) + "-ok",
                     csh::sdk::Metadata{{CSH_METADATA_GENERIC, "password-length", std::to_string(password.size()), true}});
    }

    void start() override {
        if (host().config_section("probe").find("failStart") != std::string_view::npos) {
            throw std::runtime_error("cannot listen");
        }
        started_ = true;
    }
    void stop() override { started_ = false; }

    void connection_config(const ConnectionInfo& connection, ConfigCompletion done) override {
        if (connection.username() == "forget") return;
        done.success(started_ ? "{\"started\":true}" : "{\"docker\":{}}");
    }

private:
    bool started_ = false;
};

}  // namespace probe

CSH_DECLARE_PLUGIN(probe::ProbePlugin, "io.containerssh.test.probe", "Probe", "0.1.2", "A plugin for the SDK's tests.",
                   CSH_PROVIDES("auth/probe", "config/probe"), probe::kMessageTable)
