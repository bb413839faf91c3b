// auth-static: password, public-key and authorization decisions from users
// listed in the configuration file. Built only for tests.
#include "constant_time.hpp"
#include "messages.hpp"
#include "static_auth_config.hpp"

#include <containerssh/sdk/auth.hpp>
#include <containerssh/sdk/plugin.hpp>

#include <string>

namespace auth_static {

using csh::sdk::AuthCompletion;
using csh::sdk::ConnectionInfo;
using csh::sdk::Metadata;

class StaticAuthPlugin final : public csh::sdk::AuthPlugin {
public:
    explicit StaticAuthPlugin(csh::sdk::Host host)
        : Plugin(host), config_(StaticAuthConfig::parse(host.config_section("auth"))) {
        this->host().log(codes::AUTH_STATIC_CONFIGURED, "static users loaded",
                         {{"password", config_.password_enabled ? "yes" : "no"},
                          {"publicKey", config_.public_key_enabled ? "yes" : "no"},
                          {"authz", config_.authz_enabled ? "yes" : "no"}});
    }

protected:
    uint32_t auth_methods() const override {
        return (config_.password_enabled ? CSH_AUTH_METHOD_PASSWORD : 0u) |
               (config_.public_key_enabled ? CSH_AUTH_METHOD_PUBLIC_KEY : 0u) |
               (config_.authz_enabled ? CSH_AUTH_METHOD_AUTHORIZATION : 0u);
    }

    void password(const ConnectionInfo& connection, std::string_view password, AuthCompletion done) override {
        // Unknown users are compared against a stand-in so that the answer
        // takes as long as for a known user.
        static constexpr std::string_view kStandIn = "no-such-user-stand-in-password";
        auto user = config_.password_users.find(connection.username());
        const bool known = user != config_.password_users.end() && user->second.has_password;
        const bool matches = constant_time_equal(password, known ? std::string_view(user->second.password) : kStandIn);
        if (known && matches) {
            accept(connection, codes::AUTH_STATIC_PASSWORD_ACCEPTED, std::move(done));
        } else {
            reject(connection, codes::AUTH_STATIC_PASSWORD_REJECTED,
                   known ? "the password does not match" : "no such user", std::move(done));
        }
    }

    void public_key(const ConnectionInfo& connection, std::string_view authorized_key, AuthCompletion done) override {
        auto user = config_.public_key_users.find(connection.username());
        if (user == config_.public_key_users.end()) {
            reject(connection, codes::AUTH_STATIC_PUBKEY_REJECTED, "no such user", std::move(done));
            return;
        }
        const std::string offered = normalise_authorized_key(authorized_key);
        for (const auto& key : user->second.authorized_keys) {
            if (!offered.empty() && key == offered) {
                accept(connection, codes::AUTH_STATIC_PUBKEY_ACCEPTED, std::move(done));
                return;
            }
        }
        reject(connection, codes::AUTH_STATIC_PUBKEY_REJECTED, "the key is not authorized for this user",
               std::move(done));
    }

    void authorize(const ConnectionInfo& connection, AuthCompletion done) override {
        const std::string_view user = connection.effective_username();
        if (config_.denied_users.count(user) != 0) {
            host().log(codes::AUTH_STATIC_AUTHZ_DENIED, "user is listed in auth.authz.static.deny", {{"user", user}},
                       connection.connection());
            done.failure("the user is listed in auth.authz.static.deny");
            return;
        }
        done.success();
    }

private:
    void accept(const ConnectionInfo& connection, const char* code, AuthCompletion done) const {
        const std::string user(connection.username());
        host().log(code, "login accepted", {{"user", user}}, connection.connection());
        // One environment item, so tests can watch metadata flow to the backend.
        done.success(user, Metadata{{CSH_METADATA_ENVIRONMENT, "TEST_AUTH_USER", user, false}});
    }

    void reject(const ConnectionInfo& connection, const char* code, std::string_view reason,
                AuthCompletion done) const {
        host().log(code, "login refused", {{"user", connection.username()}, {"reason", reason}},
                   connection.connection());
        done.failure(reason);
    }

    StaticAuthConfig config_;
};

}  // namespace auth_static

CSH_DECLARE_PLUGIN(auth_static::StaticAuthPlugin, "io.containerssh.test.auth.static", "Static test users", "1.0.0",
                   "Authenticates users listed in the configuration file; for tests only.",
                   CSH_PROVIDES("auth/static"), auth_static::kMessageTable)
