// auth-static: password, public-key, keyboard-interactive and authorization
// decisions from users listed in the configuration file. Built only for tests.
#include "constant_time.hpp"
#include "messages.hpp"
#include "static_auth_config.hpp"

#include <containerssh/sdk/auth.hpp>
#include <containerssh/sdk/plugin.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace auth_static {

using csh::sdk::AuthCompletion;
using csh::sdk::ConnectionInfo;
using csh::sdk::KbdIntPrompt;
using csh::sdk::Metadata;

// True when `given` equals `*expected`. An unknown user (`expected` null) is
// compared against a stand-in so that the answer takes as long as for a
// known one.
bool secret_matches(std::string_view given, const std::string* expected) {
    static constexpr std::string_view kStandIn = "no-such-user-stand-in-secret";
    const bool equal = constant_time_equal(given, expected != nullptr ? std::string_view(*expected) : kStandIn);
    return equal && expected != nullptr;
}

// One keyboard-interactive login. Its rounds are answered on the connection
// strand after keyboard_interactive() returned, so it owns what they need.
struct KbdIntLogin {
    std::string user;
    csh_connection* connection;
    KbdIntPrompt prompt;
    AuthCompletion done;
    std::string password;  // the first round's answer, kept for the decision
};

class StaticAuthPlugin final : public csh::sdk::AuthPlugin {
public:
    explicit StaticAuthPlugin(csh::sdk::Host host)
        : Plugin(host), config_(StaticAuthConfig::parse(host.config_section("auth"))) {
        this->host().log(codes::AUTH_STATIC_CONFIGURED, "static users loaded",
                         {{"password", config_.password_enabled ? "yes" : "no"},
                          {"publicKey", config_.public_key_enabled ? "yes" : "no"},
                          {"keyboardInteractive", config_.keyboard_interactive_enabled ? "yes" : "no"},
                          {"authz", config_.authz_enabled ? "yes" : "no"}});
    }

protected:
    uint32_t auth_methods() const override {
        return (config_.password_enabled ? CSH_AUTH_METHOD_PASSWORD : 0u) |
               (config_.public_key_enabled ? CSH_AUTH_METHOD_PUBLIC_KEY : 0u) |
               (config_.keyboard_interactive_enabled ? CSH_AUTH_METHOD_KEYBOARD_INTERACTIVE : 0u) |
               (config_.authz_enabled ? CSH_AUTH_METHOD_AUTHORIZATION : 0u);
    }

    void password(const ConnectionInfo& connection, std::string_view password, AuthCompletion done) override {
        auto user = config_.password_users.find(connection.username());
        const bool known = user != config_.password_users.end() && user->second.has_password;
        if (secret_matches(password, known ? &user->second.password : nullptr)) {
            accept(connection.username(), connection.connection(), codes::AUTH_STATIC_PASSWORD_ACCEPTED,
                   std::move(done));
        } else {
            reject(connection.username(), connection.connection(), codes::AUTH_STATIC_PASSWORD_REJECTED,
                   known ? "the password does not match" : "no such user", std::move(done));
        }
    }

    void public_key(const ConnectionInfo& connection, std::string_view authorized_key, AuthCompletion done) override {
        auto user = config_.public_key_users.find(connection.username());
        if (user == config_.public_key_users.end()) {
            reject(connection.username(), connection.connection(), codes::AUTH_STATIC_PUBKEY_REJECTED, "no such user",
                   std::move(done));
            return;
        }
        const std::string offered = normalise_authorized_key(authorized_key);
        for (const auto& key : user->second.authorized_keys) {
            if (!offered.empty() && key == offered) {
                accept(connection.username(), connection.connection(), codes::AUTH_STATIC_PUBKEY_ACCEPTED,
                       std::move(done));
                return;
            }
        }
        reject(connection.username(), connection.connection(), codes::AUTH_STATIC_PUBKEY_REJECTED,
               "the key is not authorized for this user", std::move(done));
    }

    // Two rounds: "Password: " (hidden), then "Code: " (echoed). Unknown users
    // get the same two rounds, so the exchange does not tell who exists.
    void keyboard_interactive(const ConnectionInfo& connection, KbdIntPrompt prompt, AuthCompletion done) override {
        auto login = std::make_shared<KbdIntLogin>(
            KbdIntLogin{std::string(connection.username()), connection.connection(), prompt, std::move(done), {}});
        prompt.ask("", "Static test login", {{"Password: ", false}},
                   [this, login](std::optional<std::vector<std::string>> answers) {
                       if (!answers || answers->size() != 1) {
                           kbdint_broken_off(*login, answers);
                           return;
                       }
                       login->password = std::move(answers->front());
                       ask_code(login);
                   });
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
    void ask_code(const std::shared_ptr<KbdIntLogin>& login) const {
        login->prompt.ask("", "", {{"Code: ", true}}, [this, login](std::optional<std::vector<std::string>> answers) {
            if (!answers || answers->size() != 1) {
                kbdint_broken_off(*login, answers);
                return;
            }
            decide_kbdint(*login, answers->front());
        });
    }

    void decide_kbdint(KbdIntLogin& login, std::string_view code) const {
        auto user = config_.keyboard_interactive_users.find(login.user);
        const bool known = user != config_.keyboard_interactive_users.end() && user->second.has_password &&
                           user->second.has_code;
        // Both comparisons always run, so the time does not tell which answer was wrong.
        const bool password_ok = secret_matches(login.password, known ? &user->second.password : nullptr);
        const bool code_ok = secret_matches(code, known ? &user->second.code : nullptr);
        if (password_ok && code_ok) {
            accept(login.user, login.connection, codes::AUTH_STATIC_KBDINT_ACCEPTED, std::move(login.done));
            return;
        }
        const char* reason = !known        ? "no such user"
                             : password_ok ? "the code does not match"
                             : code_ok     ? "the password does not match"
                                           : "neither the password nor the code matches";
        reject(login.user, login.connection, codes::AUTH_STATIC_KBDINT_REJECTED, reason, std::move(login.done));
    }

    // The client went away (no answers) or answered a round with the wrong
    // number of answers: the attempt fails.
    void kbdint_broken_off(KbdIntLogin& login, const std::optional<std::vector<std::string>>& answers) const {
        reject(login.user, login.connection, codes::AUTH_STATIC_KBDINT_REJECTED,
               answers ? "the client did not send exactly one answer" : "the client went away",
               std::move(login.done));
    }

    void accept(std::string_view user, csh_connection* connection, const char* code, AuthCompletion done) const {
        host().log(code, "login accepted", {{"user", user}}, connection);
        // One environment item, so tests can watch metadata flow to the backend.
        done.success(user, Metadata{{CSH_METADATA_ENVIRONMENT, "TEST_AUTH_USER", std::string(user), false}});
    }

    void reject(std::string_view user, csh_connection* connection, const char* code, std::string_view reason,
                AuthCompletion done) const {
        host().log(code, "login refused", {{"user", user}, {"reason", reason}}, connection);
        done.failure(reason);
    }

    StaticAuthConfig config_;
};

}  // namespace auth_static

CSH_DECLARE_PLUGIN(auth_static::StaticAuthPlugin, "io.containerssh.test.auth.static", "Static test users", "1.0.0",
                   "Authenticates users listed in the configuration file; for tests only.",
                   CSH_PROVIDES("auth/static"), auth_static::kMessageTable)
