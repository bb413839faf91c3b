#include "ssh/authenticator.hpp"

#include "config/config.hpp"
#include "host/host_entry.hpp"
#include "log/codes.hpp"
#include "ssh/completions.hpp"
#include "ssh/connection.hpp"
#include "ssh/libssh_messages.hpp"

namespace csh::ssh {

namespace {

// ContainerSSH (like OpenSSH's default) allows six attempts per connection.
constexpr int kMaxAuthAttempts = 6;

struct MethodAudit {
    csh_audit_type attempt, success, failed, backend_error;
};

MethodAudit audit_types(std::string_view method) {
    if (method == "password") {
        return {CSH_AUDIT_AUTH_PASSWORD, CSH_AUDIT_AUTH_PASSWORD_SUCCESSFUL, CSH_AUDIT_AUTH_PASSWORD_FAILED,
                CSH_AUDIT_AUTH_PASSWORD_BACKEND_ERROR};
    }
    if (method == "publickey") {
        return {CSH_AUDIT_AUTH_PUBKEY, CSH_AUDIT_AUTH_PUBKEY_SUCCESSFUL, CSH_AUDIT_AUTH_PUBKEY_FAILED,
                CSH_AUDIT_AUTH_PUBKEY_BACKEND_ERROR};
    }
    // keyboard-interactive has no "successful" type in ContainerSSH's format.
    return {CSH_AUDIT_AUTH_KBDINT_CHALLENGE, 0, CSH_AUDIT_AUTH_KBDINT_FAILED, CSH_AUDIT_AUTH_KBDINT_BACKEND_ERROR};
}

// "ssh-ed25519 AAAA..." as in authorized_keys, without a comment.
std::string authorized_key_line(ssh_key key) {
    char* base64 = nullptr;
    if (key == nullptr || ssh_pki_export_pubkey_base64(key, &base64) != SSH_OK) return {};
    const auto type = ssh_key_type(key);
    const bool ecdsa = type == SSH_KEYTYPE_ECDSA_P256 || type == SSH_KEYTYPE_ECDSA_P384 ||
                       type == SSH_KEYTYPE_ECDSA_P521;
    const char* name = ecdsa ? ssh_pki_key_ecdsa_name(key) : ssh_key_type_to_char(type);
    std::string line = std::string(name != nullptr ? name : "unknown") + " " + base64;
    ssh_string_free_char(base64);
    return line;
}

}  // namespace

void Authenticator::send_banner_once() {
    if (banner_sent_) return;
    banner_sent_ = true;
    const auto& banner = connection_.context().config.ssh().banner;
    if (banner.empty()) return;
    ssh_string text = ssh_string_from_char(banner.c_str());
    ssh_send_issue_banner(connection_.session(), text);
    ssh_string_free(text);
}

void Authenticator::handle(Message message) {
    // A keyboard-interactive answer carries no user name: keep the one we have.
    if (auto user = msg::str_or_empty(ssh_message_auth_user(message.get())); !user.empty()) {
        identity_.username = std::move(user);
    }
    send_banner_once();
    switch (message.subtype()) {
        case SSH_AUTH_METHOD_PASSWORD:
            password(std::move(message));
            return;
        case SSH_AUTH_METHOD_PUBLICKEY:
            public_key(std::move(message));
            return;
        case SSH_AUTH_METHOD_INTERACTIVE:
            keyboard_interactive(std::move(message));
            return;
        default:
            // "none" and methods we do not offer: list the ones we do.
            message.reply_default();
    }
}

void Authenticator::connection_closing() {
    kbdint_answer_ = nullptr;
    if (auto abandon = std::exchange(kbdint_abandon_, nullptr)) abandon();
}

void Authenticator::password(Message message) {
    const auto* plugin = connection_.context().plugins.auth_for(CSH_AUTH_METHOD_PASSWORD);
    if (plugin == nullptr) {
        refused(std::move(message), "password", true, "no auth plugin serves passwords");
        return;
    }
    const std::string password = msg::password(message.get());
    if (auto* audit = connection_.audit()) {
        if (connection_.context().intercept.passwords) {
            audit->emit(CSH_AUDIT_AUTH_PASSWORD, CSH_AUDIT_NO_CHANNEL,
                        {audit_field::text("username", identity_.username), audit_field::bytes("password", password)});
        } else {
            audit->emit(CSH_AUDIT_AUTH_PASSWORD, CSH_AUDIT_NO_CHANNEL,
                        {audit_field::text("username", identity_.username)});
        }
    }
    plugin->api->password(plugin->instance, &connection_.info(),
                          {reinterpret_cast<const uint8_t*>(password.data()), password.size()},
                          auth_completion(connection_, {plugin->id, "password"},
                                          [message = std::move(message)](Connection& c, AuthAnswer answer) mutable {
                                              c.authenticator().answered(std::move(message), "password", answer);
                                          }));
}

void Authenticator::answered(Message message, const char* method, const AuthAnswer& answer) {
    if (answer.outcome != CSH_AUTH_SUCCESS) {
        refused(std::move(message), method, answer.outcome == CSH_AUTH_UNAVAILABLE, answer.reason);
        return;
    }
    identity_.authenticated_username = answer.authenticated_username;
    identity_.metadata.merge(answer.metadata);
    authorize(std::move(message), method, 0);
}

void Authenticator::public_key(Message message) {
    const auto state = msg::public_key_state(message.get());
    const std::string key = authorized_key_line(msg::public_key(message.get()));
    if (state == SSH_PUBLICKEY_STATE_WRONG || key.empty()) {
        refused(std::move(message), "publickey", false, "invalid public key signature");
        return;
    }
    // The plugin was asked when the client offered the key; the signed
    // request that follows is decided by the signature libssh verified.
    if (state == SSH_PUBLICKEY_STATE_VALID) {
        auto approved = approved_keys_.find(key);
        if (approved != approved_keys_.end()) {
            identity_.authenticated_username = approved->second.first;
            identity_.metadata.merge(approved->second.second);
            authorize(std::move(message), "publickey", 0);
            return;
        }
    }
    const auto* plugin = connection_.context().plugins.auth_for(CSH_AUTH_METHOD_PUBLIC_KEY);
    if (plugin == nullptr) {
        refused(std::move(message), "publickey", true, "no auth plugin serves public keys");
        return;
    }
    if (auto* audit = connection_.audit()) {
        audit->emit(CSH_AUDIT_AUTH_PUBKEY, CSH_AUDIT_NO_CHANNEL,
                    {audit_field::text("username", identity_.username), audit_field::text("key", key)});
    }
    plugin->api->public_key(
        plugin->instance, &connection_.info(), {key.data(), key.size()},
        auth_completion(connection_, {plugin->id, "public_key"},
                        [message = std::move(message), key, state](Connection& c, AuthAnswer answer) mutable {
                            if (c.closing()) return;
                            auto& self = c.authenticator();
                            if (answer.outcome == CSH_AUTH_SUCCESS && state == SSH_PUBLICKEY_STATE_NONE) {
                                self.approved_keys_[key] = {answer.authenticated_username, answer.metadata};
                                message.answer(ssh_message_auth_reply_pk_ok_simple);
                                return;
                            }
                            self.answered(std::move(message), "publickey", answer);
                        }));
}

namespace {
// One keyboard-interactive exchange: the message we owe an answer to (the
// first request, then each of the client's responses) and the connection.
struct KbdintExchange {
    std::weak_ptr<Connection> connection;
    Message pending;
};
}  // namespace

void Authenticator::keyboard_interactive(Message message) {
    if (ssh_message_auth_kbdint_is_response(message.get())) {
        if (auto answer = std::exchange(kbdint_answer_, nullptr)) {
            answer(std::move(message));
        } else {
            message.reply_default();
        }
        return;
    }
    const auto* plugin = connection_.context().plugins.auth_for(CSH_AUTH_METHOD_KEYBOARD_INTERACTIVE);
    if (plugin == nullptr) {
        refused(std::move(message), "keyboard-interactive", true, "no auth plugin serves keyboard-interactive");
        return;
    }
    auto exchange = std::make_shared<KbdintExchange>();
    exchange->connection = connection_.weak_from_this();
    exchange->pending = std::move(message);
    csh_kbdint_prompt prompt{
        [](void* context, csh_str name, csh_str instruction, const csh_kbdint_question* questions, size_t count,
           csh_kbdint_answer_fn answered, void* user_data) {
            auto exchange = *static_cast<std::shared_ptr<KbdintExchange>*>(context);
            auto c = exchange->connection.lock();
            if (!c || c->closing() || !exchange->pending) {
                answered(user_data, nullptr, 0);
                return;
            }
            // Called from the plugin's frames: nothing may unwind into them.
            host::guarded(&c->context().logger, "kbdint.ask", [&] {
                std::vector<std::string> texts;
                std::vector<const char*> prompts;
                std::string echo;
                for (size_t i = 0; i < count; ++i) texts.emplace_back(questions[i].text.data, questions[i].text.size);
                for (size_t i = 0; i < count; ++i) {
                    prompts.push_back(texts[i].c_str());
                    echo.push_back(questions[i].echo != 0 ? 1 : 0);
                }
                const std::string n(name.data, name.size), ins(instruction.data, instruction.size);
                // Answering with the questions reopens the queue: the
                // client's response is the next message to take.
                exchange->pending.answer(ssh_message_auth_interactive_request, n.c_str(), ins.c_str(),
                                         static_cast<unsigned>(count), prompts.data(), echo.data());
                auto& self = c->authenticator();
                if (auto* audit = c->audit()) {
                    audit->emit(CSH_AUDIT_AUTH_KBDINT_CHALLENGE, CSH_AUDIT_NO_CHANNEL,
                                {audit_field::text("username", self.identity_.username),
                                 audit_field::text("instruction", ins)});
                }
                self.kbdint_abandon_ = [answered, user_data] { answered(user_data, nullptr, 0); };
                self.kbdint_answer_ = [exchange, answered, user_data](Message response) {
                    auto conn = exchange->connection.lock();
                    auto& auth = conn->authenticator();
                    auth.kbdint_abandon_ = nullptr;
                    exchange->pending = std::move(response);  // holds the queue until the plugin decides
                    std::vector<std::string> values;
                    const int n_answers = ssh_userauth_kbdint_getnanswers(conn->session());
                    for (int i = 0; i < n_answers; ++i) {
                        values.push_back(msg::str_or_empty(ssh_userauth_kbdint_getanswer(conn->session(), i)));
                    }
                    std::vector<csh_str> views;
                    for (const auto& v : values) views.push_back({v.data(), v.size()});
                    if (auto* audit = conn->audit()) {
                        audit->emit(CSH_AUDIT_AUTH_KBDINT_ANSWER, CSH_AUDIT_NO_CHANNEL,
                                    {audit_field::text("username", auth.identity_.username)});
                    }
                    answered(user_data, views.data(), views.size());
                };
            });
        },
        new std::shared_ptr<KbdintExchange>(exchange)};
    auto* prompt_context = static_cast<std::shared_ptr<KbdintExchange>*>(prompt.context);
    // The prompt lives until the plugin's completion, which may come after
    // the connection ended (the plugin may ask until then): this
    // continuation is the only one that frees it, so it always runs. The
    // plugin learns of the end through the empty answer (connection_closing).
    plugin->api->keyboard_interactive(
        plugin->instance, &connection_.info(), prompt,
        auth_completion(connection_, {plugin->id, "keyboard_interactive", AtConnectionEnd::still_runs},
                        [exchange, prompt_context](Connection& c, AuthAnswer answer) {
                            delete prompt_context;
                            auto& self = c.authenticator();
                            self.kbdint_answer_ = nullptr;
                            self.kbdint_abandon_ = nullptr;
                            Message message = std::move(exchange->pending);
                            if (!message) return;  // the plugin answered out of turn
                            self.answered(std::move(message), "keyboard-interactive", answer);
                        }));
}

void Authenticator::authorize(Message message, const char* method, size_t plugin_index) {
    if (connection_.closing()) return;
    const auto& auth = connection_.context().plugins.auth;
    while (plugin_index < auth.size() && (auth[plugin_index].api->methods & CSH_AUTH_METHOD_AUTHORIZATION) == 0) {
        ++plugin_index;
    }
    if (plugin_index < auth.size()) {
        const auto& plugin = auth[plugin_index];
        plugin.api->authorize(
            plugin.instance, &connection_.info(),
            auth_completion(connection_, {plugin.id, "authorize"},
                            [message = std::move(message), method, plugin_index](Connection& c, AuthAnswer answer) mutable {
                                auto& self = c.authenticator();
                                if (answer.outcome != CSH_AUTH_SUCCESS) {
                                    self.refused(std::move(message), method, answer.outcome == CSH_AUTH_UNAVAILABLE,
                                                 "authorization refused: " + answer.reason);
                                    return;
                                }
                                if (!answer.authenticated_username.empty()) {
                                    self.identity_.authenticated_username = answer.authenticated_username;
                                }
                                self.identity_.metadata.merge(answer.metadata);
                                self.authorize(std::move(message), method, plugin_index + 1);
                            }));
        return;
    }
    if (identity_.authenticated_username.empty()) identity_.authenticated_username = identity_.username;
    connection_.log(codes::SSH_AUTH_SUCCESSFUL, "", {{"method", method}});
    const auto types = audit_types(method);
    if (auto* audit = connection_.audit(); audit != nullptr && types.success != 0) {
        audit->emit(types.success, CSH_AUDIT_NO_CHANNEL,
                    {audit_field::text("username", identity_.username),
                     audit_field::text("authenticatedUsername", identity_.authenticated_username)});
    }
    message.answer(ssh_message_auth_reply_success, 0);
    connection_.authenticated();
}

void Authenticator::refused(Message message, const char* method, bool unavailable, const std::string& reason) {
    if (connection_.closing()) return;
    connection_.log(unavailable ? codes::SSH_AUTH_UNAVAILABLE : codes::SSH_AUTH_FAILED, reason,
                    {{"method", method}, {"reason", reason}});
    const auto types = audit_types(method);
    if (auto* audit = connection_.audit()) {
        if (unavailable) {
            audit->emit(types.backend_error, CSH_AUDIT_NO_CHANNEL,
                        {audit_field::text("username", identity_.username), audit_field::text("reason", reason)});
        } else {
            audit->emit(types.failed, CSH_AUDIT_NO_CHANNEL, {audit_field::text("username", identity_.username)});
        }
    }
    message.reply_default();
    if (++failed_attempts_ >= kMaxAuthAttempts) {
        ssh_session_set_disconnect_message(connection_.session(), "Too many authentication failures");
        connection_.close(codes::SSH_AUTH_TOO_MANY_ATTEMPTS, "too many authentication failures");
    }
}

}  // namespace csh::ssh
