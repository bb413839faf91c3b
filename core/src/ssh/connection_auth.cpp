// Authentication of a connection: each attempt goes to the auth plugin that
// serves its method; a success then passes every authorization plugin.
#include "config/config.hpp"
#include "host/host_entry.hpp"
#include "log/codes.hpp"
#include "ssh/completions.hpp"
#include "ssh/connection.hpp"
#include "ssh/libssh_messages.hpp"

#include <boost/asio/steady_timer.hpp>

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

void Connection::send_banner_once() {
    if (banner_sent_) return;
    banner_sent_ = true;
    const auto& banner = context_.config.ssh().banner;
    if (banner.empty()) return;
    ssh_string text = ssh_string_from_char(banner.c_str());
    ssh_send_issue_banner(session_, text);
    ssh_string_free(text);
}

void Connection::handle_auth(ssh_message message) {
    // A keyboard-interactive answer carries no user name: keep the one we have.
    if (auto user = msg::str_or_empty(ssh_message_auth_user(message)); !user.empty()) username_ = std::move(user);
    send_banner_once();
    switch (ssh_message_subtype(message)) {
        case SSH_AUTH_METHOD_PASSWORD:
            auth_password(message, username_);
            return;
        case SSH_AUTH_METHOD_PUBLICKEY:
            auth_public_key(message, username_);
            return;
        case SSH_AUTH_METHOD_INTERACTIVE:
            auth_keyboard_interactive(message, username_);
            return;
        default:
            // "none" and methods we do not offer: list the ones we do.
            ssh_message_reply_default(message);
            ssh_message_free(message);
    }
}

void Connection::auth_password(ssh_message message, const std::string& user) {
    const auto* plugin = context_.plugins.auth_for(CSH_AUTH_METHOD_PASSWORD);
    if (plugin == nullptr) {
        auth_refused(message, "password", true, "no auth plugin serves passwords");
        return;
    }
    const std::string password = msg::password(message);
    if (audit_) {
        if (context_.intercept.passwords) {
            audit_->emit(CSH_AUDIT_AUTH_PASSWORD, CSH_AUDIT_NO_CHANNEL,
                         {audit_field::text("username", user), audit_field::bytes("password", password)});
        } else {
            audit_->emit(CSH_AUDIT_AUTH_PASSWORD, CSH_AUDIT_NO_CHANNEL, {audit_field::text("username", user)});
        }
    }
    begin_busy();
    plugin->api->password(plugin->instance, &info(),
                          {reinterpret_cast<const uint8_t*>(password.data()), password.size()},
                          auth_completion(*this, [message](Connection& c, AuthAnswer answer) {
                              c.auth_answered(message, "password", answer);
                          }));
}

void Connection::auth_answered(ssh_message message, const char* method, const AuthAnswer& answer) {
    if (answer.outcome != CSH_AUTH_SUCCESS) {
        auth_refused(message, method, answer.outcome == CSH_AUTH_UNAVAILABLE, answer.reason);
        return;
    }
    authenticated_username_ = answer.authenticated_username;
    metadata_.merge(answer.metadata);
    authorize(message, method, 0);
}

void Connection::auth_public_key(ssh_message message, const std::string& user) {
    const auto state = msg::public_key_state(message);
    const std::string key = authorized_key_line(msg::public_key(message));
    if (state == SSH_PUBLICKEY_STATE_WRONG || key.empty()) {
        auth_refused(message, "publickey", false, "invalid public key signature");
        return;
    }
    // The plugin was asked when the client offered the key; the signed
    // request that follows is decided by the signature libssh verified.
    if (state == SSH_PUBLICKEY_STATE_VALID) {
        auto approved = approved_keys_.find(key);
        if (approved != approved_keys_.end()) {
            authenticated_username_ = approved->second.first;
            metadata_.merge(approved->second.second);
            begin_busy();
            authorize(message, "publickey", 0);
            return;
        }
    }
    const auto* plugin = context_.plugins.auth_for(CSH_AUTH_METHOD_PUBLIC_KEY);
    if (plugin == nullptr) {
        auth_refused(message, "publickey", true, "no auth plugin serves public keys");
        return;
    }
    if (audit_) {
        audit_->emit(CSH_AUDIT_AUTH_PUBKEY, CSH_AUDIT_NO_CHANNEL,
                     {audit_field::text("username", user), audit_field::text("key", key)});
    }
    begin_busy();
    plugin->api->public_key(
        plugin->instance, &info(), {key.data(), key.size()},
        auth_completion(*this, [message, key, state](Connection& c, AuthAnswer answer) {
            if (c.closing()) {
                ssh_message_free(message);  // the session may be gone: no reply
                return;
            }
            if (answer.outcome == CSH_AUTH_SUCCESS && state == SSH_PUBLICKEY_STATE_NONE) {
                c.approved_keys_[key] = {answer.authenticated_username, answer.metadata};
                ssh_message_auth_reply_pk_ok_simple(message);
                ssh_message_free(message);
                c.end_busy();
                return;
            }
            c.auth_answered(message, "publickey", answer);
        }));
}

namespace {
// The state of one keyboard-interactive exchange: the message we owe an
// answer to, and the plugin's prompt callback waiting for answers.
struct KbdintExchange {
    std::weak_ptr<Connection> connection;
    ssh_message pending = nullptr;
};
}  // namespace

void Connection::auth_keyboard_interactive(ssh_message message, const std::string&) {
    if (ssh_message_auth_kbdint_is_response(message)) {
        if (kbdint_answer_) {
            auto answer = std::move(kbdint_answer_);
            kbdint_answer_ = nullptr;
            answer(message);
        } else {
            ssh_message_reply_default(message);
            ssh_message_free(message);
        }
        return;
    }
    const auto* plugin = context_.plugins.auth_for(CSH_AUTH_METHOD_KEYBOARD_INTERACTIVE);
    if (plugin == nullptr) {
        auth_refused(message, "keyboard-interactive", true, "no auth plugin serves keyboard-interactive");
        return;
    }
    auto exchange = std::make_shared<KbdintExchange>();
    exchange->connection = weak_from_this();
    exchange->pending = message;
    begin_busy();
    csh_kbdint_prompt prompt{
        [](void* context, csh_str name, csh_str instruction, const csh_kbdint_question* questions, size_t count,
           csh_kbdint_answer_fn answered, void* user_data) {
            auto exchange = *static_cast<std::shared_ptr<KbdintExchange>*>(context);
            auto c = exchange->connection.lock();
            if (!c || c->closing() || exchange->pending == nullptr) {
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
            ssh_message_auth_interactive_request(exchange->pending, n.c_str(), ins.c_str(),
                                                 static_cast<unsigned>(count), prompts.data(), echo.data());
            ssh_message_free(exchange->pending);
            exchange->pending = nullptr;
            if (c->audit_) {
                c->audit_->emit(CSH_AUDIT_AUTH_KBDINT_CHALLENGE, CSH_AUDIT_NO_CHANNEL,
                                {audit_field::text("username", c->username_),
                                 audit_field::text("instruction", ins)});
            }
            c->kbdint_abandon_ = [answered, user_data] { answered(user_data, nullptr, 0); };
            c->kbdint_answer_ = [exchange, answered, user_data](ssh_message response) {
                auto conn = exchange->connection.lock();
                conn->kbdint_abandon_ = nullptr;
                exchange->pending = response;
                std::vector<std::string> values;
                const int n_answers = ssh_userauth_kbdint_getnanswers(conn->session_);
                for (int i = 0; i < n_answers; ++i) {
                    values.push_back(msg::str_or_empty(ssh_userauth_kbdint_getanswer(conn->session_, i)));
                }
                std::vector<csh_str> views;
                for (const auto& v : values) views.push_back({v.data(), v.size()});
                if (conn->audit_) {
                    conn->audit_->emit(CSH_AUDIT_AUTH_KBDINT_ANSWER, CSH_AUDIT_NO_CHANNEL,
                                       {audit_field::text("username", conn->username_)});
                }
                conn->begin_busy();
                answered(user_data, views.data(), views.size());
            };
            c->end_busy();  // the client's answer is the next message to take
            });
        },
        new std::shared_ptr<KbdintExchange>(exchange)};
    auto* prompt_context = static_cast<std::shared_ptr<KbdintExchange>*>(prompt.context);
    plugin->api->keyboard_interactive(
        plugin->instance, &info(), prompt,
        auth_completion(*this, [exchange, prompt_context](Connection& c, AuthAnswer answer) {
            delete prompt_context;
            c.kbdint_answer_ = nullptr;
            c.kbdint_abandon_ = nullptr;
            ssh_message message = std::exchange(exchange->pending, nullptr);
            if (message == nullptr) return;  // the plugin answered out of turn
            c.auth_answered(message, "keyboard-interactive", answer);
        }));
}

void Connection::authorize(ssh_message message, const char* method, size_t plugin_index) {
    if (closing()) {
        ssh_message_free(message);
        return;
    }
    const auto& auth = context_.plugins.auth;
    while (plugin_index < auth.size() && (auth[plugin_index].api->methods & CSH_AUTH_METHOD_AUTHORIZATION) == 0) {
        ++plugin_index;
    }
    if (plugin_index < auth.size()) {
        const auto& plugin = auth[plugin_index];
        plugin.api->authorize(plugin.instance, &info(),
                              auth_completion(*this, [message, method, plugin_index](Connection& c, AuthAnswer answer) {
                                  if (answer.outcome != CSH_AUTH_SUCCESS) {
                                      c.auth_refused(message, method, answer.outcome == CSH_AUTH_UNAVAILABLE,
                                                     "authorization refused: " + answer.reason);
                                      return;
                                  }
                                  if (!answer.authenticated_username.empty()) {
                                      c.authenticated_username_ = answer.authenticated_username;
                                  }
                                  c.metadata_.merge(answer.metadata);
                                  c.authorize(message, method, plugin_index + 1);
                              }));
        return;
    }
    if (authenticated_username_.empty()) authenticated_username_ = username_;
    log(codes::SSH_AUTH_SUCCESSFUL, "", {{"method", method}});
    const auto types = audit_types(method);
    if (audit_ && types.success != 0) {
        audit_->emit(types.success, CSH_AUDIT_NO_CHANNEL,
                     {audit_field::text("username", username_),
                      audit_field::text("authenticatedUsername", authenticated_username_)});
    }
    ssh_message_auth_reply_success(message, 0);
    ssh_message_free(message);
    state_ = State::preparing;
    authenticated_after_ = std::chrono::steady_clock::now() - accepted_at_;
    context_.metrics.phase(LoginPhase::authentication, auth_wait_);
    grace_timer_.cancel();
    log(codes::SSH_HANDSHAKE_SUCCESSFUL, "");
    if (audit_) {
        audit_->emit(CSH_AUDIT_HANDSHAKE_SUCCESSFUL, CSH_AUDIT_NO_CHANNEL, {audit_field::text("username", username_)});
    }
    start_keepalive();
    prepare();
}

void Connection::auth_refused(ssh_message message, const char* method, bool unavailable, const std::string& reason) {
    if (closing()) {
        ssh_message_free(message);
        return;
    }
    log(unavailable ? codes::SSH_AUTH_UNAVAILABLE : codes::SSH_AUTH_FAILED, reason,
        {{"method", method}, {"reason", reason}});
    const auto types = audit_types(method);
    if (audit_) {
        if (unavailable) {
            audit_->emit(types.backend_error, CSH_AUDIT_NO_CHANNEL,
                         {audit_field::text("username", username_), audit_field::text("reason", reason)});
        } else {
            audit_->emit(types.failed, CSH_AUDIT_NO_CHANNEL, {audit_field::text("username", username_)});
        }
    }
    ssh_message_reply_default(message);
    ssh_message_free(message);
    if (++failed_auth_attempts_ >= kMaxAuthAttempts) {
        ssh_session_set_disconnect_message(session_, "Too many authentication failures");
        close(codes::SSH_AUTH_TOO_MANY_ATTEMPTS, "too many authentication failures");
        return;
    }
    end_busy();
}

}  // namespace csh::ssh
