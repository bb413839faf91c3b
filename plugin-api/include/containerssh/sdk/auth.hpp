// Authentication and authorization plugins (containerssh.auth/1).
//
// Derive from AuthPlugin, say which methods you serve with auth_methods(),
// and override the matching virtual functions. Each attempt hands you an
// AuthCompletion: answer it exactly once, now or later, from any thread.
#pragma once

#include <containerssh/sdk/completion.hpp>
#include <containerssh/sdk/connection_info.hpp>
#include <containerssh/sdk/metadata.hpp>
#include <containerssh/sdk/plugin.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace csh::sdk {

// Wraps csh_auth_completion. A forgotten one answers CSH_AUTH_UNAVAILABLE.
class AuthCompletion {
public:
    AuthCompletion(Host host, csh_auth_completion raw, const char* what, csh_connection* connection = nullptr)
        : guard_(std::move(host), what, connection), raw_(raw) {}
    AuthCompletion(AuthCompletion&&) noexcept = default;
    AuthCompletion& operator=(AuthCompletion&&) = delete;
    ~AuthCompletion() {
        if (guard_.claim_orphaned()) send(CSH_AUTH_UNAVAILABLE, {}, Metadata(), guard_.orphan_reason());
    }

    bool pending() const { return guard_.pending(); }

    // The credentials are valid. An empty user name keeps the previous one.
    void success(std::string_view authenticated_username = {}, const Metadata& metadata = {},
                 std::string_view reason = {}) {
        complete(CSH_AUTH_SUCCESS, authenticated_username, metadata, reason);
    }
    // The credentials are not valid. `reason` goes to the log only.
    void failure(std::string_view reason) { complete(CSH_AUTH_FAILURE, {}, Metadata(), reason); }
    // No decision could be made (a dependency is down).
    void unavailable(std::string_view reason) { complete(CSH_AUTH_UNAVAILABLE, {}, Metadata(), reason); }

    void complete(csh_auth_outcome outcome, std::string_view authenticated_username, const Metadata& metadata,
                  std::string_view reason) {
        if (guard_.claim()) send(outcome, authenticated_username, metadata, reason);
    }

private:
    void send(csh_auth_outcome outcome, std::string_view user, const Metadata& metadata, std::string_view reason) {
        const std::vector<csh_metadata_entry> entries = metadata.entries();
        csh_auth_result result{};
        result.struct_size = sizeof(result);
        result.outcome = outcome;
        result.authenticated_username = to_str(user);
        result.metadata = csh_metadata{entries.data(), entries.size()};
        result.reason = to_str(reason);
        raw_.complete(raw_.context, &result);
    }

    detail::CompletionGuard guard_;
    csh_auth_completion raw_;
};

// One keyboard-interactive question.
struct KbdIntQuestion {
    std::string text;
    bool echo = false;
};

// The host's side of a keyboard-interactive exchange ([connection-strand]).
class KbdIntPrompt {
public:
    // `answers` is std::nullopt when the client went away.
    using AnswerFn = std::function<void(std::optional<std::vector<std::string>> answers)>;

    KbdIntPrompt(Host host, csh_kbdint_prompt raw) : host_(std::move(host)), raw_(raw) {}

    // Sends one round of questions; `answered` runs once on the connection strand.
    void ask(std::string_view name, std::string_view instruction, const std::vector<KbdIntQuestion>& questions,
             AnswerFn answered) const {
        std::vector<csh_kbdint_question> raw_questions;
        for (const auto& q : questions) raw_questions.push_back(csh_kbdint_question{to_str(q.text), q.echo ? 1u : 0u, 0});
        auto box = std::make_unique<Box>(Box{host_, std::move(answered)});
        raw_.ask(raw_.context, to_str(name), to_str(instruction), raw_questions.data(), raw_questions.size(),
                 &Box::trampoline, box.get());
        box.release();
    }

private:
    struct Box {
        Host host;
        AnswerFn fn;
        static void trampoline(void* user, const csh_str* answers, size_t count) {
            std::unique_ptr<Box> box(static_cast<Box*>(user));
            try {
                std::optional<std::vector<std::string>> copied;
                if (answers != nullptr) {
                    copied.emplace();
                    for (size_t i = 0; i < count; ++i) copied->emplace_back(view(answers[i]));
                }
                box->fn(std::move(copied));
            } catch (...) {
                box->host.log_current_exception("auth.keyboard_interactive.answer");
            }
        }
    };

    Host host_;
    csh_kbdint_prompt raw_;
};

class AuthPlugin : public virtual Plugin {
public:
    const void* get_interface(std::string_view interface_id) override {
        if (interface_id != CSH_AUTH_INTERFACE_ID) return Plugin::get_interface(interface_id);
        table_.methods = auth_methods();
        return &table_;
    }

protected:
    AuthPlugin() = default;

    // The CSH_AUTH_METHOD_* bits this plugin serves (asked at get_interface).
    virtual uint32_t auth_methods() const = 0;

    // [connection-strand] Each default answers "failure: not offered".
    virtual void password(const ConnectionInfo& connection, std::string_view password, AuthCompletion done) {
        (void)connection;
        (void)password;
        done.failure("password authentication is not offered by this plugin");
    }
    // `authorized_key` is "type base64" without a comment.
    virtual void public_key(const ConnectionInfo& connection, std::string_view authorized_key, AuthCompletion done) {
        (void)connection;
        (void)authorized_key;
        done.failure("public key authentication is not offered by this plugin");
    }
    virtual void keyboard_interactive(const ConnectionInfo& connection, KbdIntPrompt prompt, AuthCompletion done) {
        (void)connection;
        (void)prompt;
        done.failure("keyboard-interactive authentication is not offered by this plugin");
    }
    virtual void authorize(const ConnectionInfo& connection, AuthCompletion done) {
        (void)connection;
        done.failure("authorization is not offered by this plugin");
    }
    // The connection ended; drop anything kept for it.
    virtual void connection_closed(const ConnectionInfo& connection) { (void)connection; }

private:
    static void password_entry(csh_plugin_instance* instance, const csh_connection_info* connection,
                               csh_bytes password, csh_auth_completion done) {
        AuthPlugin& self = kind_of<AuthPlugin>(instance);
        AuthCompletion completion(self.host(), done, "auth.password", connection->connection);
        try {
            self.password(ConnectionInfo(*connection), view(password), std::move(completion));
        } catch (...) {
            self.host().log_current_exception("auth.password", connection->connection);
        }
    }
    static void public_key_entry(csh_plugin_instance* instance, const csh_connection_info* connection,
                                 csh_str authorized_key, csh_auth_completion done) {
        AuthPlugin& self = kind_of<AuthPlugin>(instance);
        AuthCompletion completion(self.host(), done, "auth.public_key", connection->connection);
        try {
            self.public_key(ConnectionInfo(*connection), view(authorized_key), std::move(completion));
        } catch (...) {
            self.host().log_current_exception("auth.public_key", connection->connection);
        }
    }
    static void keyboard_interactive_entry(csh_plugin_instance* instance, const csh_connection_info* connection,
                                           csh_kbdint_prompt prompt, csh_auth_completion done) {
        AuthPlugin& self = kind_of<AuthPlugin>(instance);
        AuthCompletion completion(self.host(), done, "auth.keyboard_interactive", connection->connection);
        try {
            self.keyboard_interactive(ConnectionInfo(*connection), KbdIntPrompt(self.host(), prompt),
                                      std::move(completion));
        } catch (...) {
            self.host().log_current_exception("auth.keyboard_interactive", connection->connection);
        }
    }
    static void authorize_entry(csh_plugin_instance* instance, const csh_connection_info* connection,
                                csh_auth_completion done) {
        AuthPlugin& self = kind_of<AuthPlugin>(instance);
        AuthCompletion completion(self.host(), done, "auth.authorize", connection->connection);
        try {
            self.authorize(ConnectionInfo(*connection), std::move(completion));
        } catch (...) {
            self.host().log_current_exception("auth.authorize", connection->connection);
        }
    }
    static void connection_closed_entry(csh_plugin_instance* instance, const csh_connection_info* connection) {
        AuthPlugin& self = kind_of<AuthPlugin>(instance);
        try {
            self.connection_closed(ConnectionInfo(*connection));
        } catch (...) {
            self.host().log_current_exception("auth.connection_closed", connection->connection);
        }
    }

    csh_auth_interface table_{
        sizeof(csh_auth_interface), 0,         &password_entry,          &public_key_entry,
        &keyboard_interactive_entry, &authorize_entry, &connection_closed_entry,
    };
};

}  // namespace csh::sdk
