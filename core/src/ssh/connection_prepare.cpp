// After authentication: the per-connection configuration, the backend
// connection, and the channels opened on it.
#include "config/config.hpp"
#include "log/codes.hpp"
#include "ssh/completions.hpp"
#include "ssh/connection.hpp"
#include "ssh/forward_channel.hpp"
#include "ssh/session_channel.hpp"

#include <algorithm>

namespace csh::ssh {

namespace {
DeadlineSettings deadline_settings(const config::SshSettings& ssh) {
    return {ssh.idle_timeout, ssh.max_session_duration, ssh.timeout_warning};
}
}  // namespace

void Connection::prepare() {
    deadlines_ = deadline_settings(context_.config.ssh());
    if (context_.plugins.config.empty()) {
        open_backend(context_.effective_json);
        return;
    }
    const auto& plugin = context_.plugins.config.front();
    plugin.api->connection_config(plugin.instance, &info(), config_completion(*this, {plugin.id, "connection_config"}, [](Connection& c, ConfigAnswer a) {
        if (c.closing()) return;
        c.context_.metrics.phase(LoginPhase::configuration, a.waited);
        if (a.status != CSH_OK) {
            ssh_session_set_disconnect_message(c.session_, "Configuration currently unavailable, please try again later.");
            c.close(codes::SSH_BACKEND_REJECTED_HANDSHAKE, "configuration server failed: " + a.reason);
            return;
        }
        if (!a.authenticated_username.empty()) c.identity_.authenticated_username = a.authenticated_username;
        c.identity_.metadata.merge(a.metadata);
        std::string effective;
        try {
            const config::Config merged = c.context_.config.merged_with(a.config_json, "configuration server response");
            effective = merged.effective_json();
            // The user's own security section, merged over the file's like every other section.
            c.policy_ = std::make_shared<const security::Policy>(merged.security());
            // ssh.idleTimeout and ssh.maxSessionDuration may differ per user too.
            c.deadlines_ = deadline_settings(merged.ssh());
        } catch (const config::ConfigError& e) {
            c.log(codes::BACKEND_CONFIG_ERROR, e.what(), {{"key", e.key_path()}});
            ssh_session_set_disconnect_message(
                c.session_, ("Your per-user configuration is invalid (" + e.key_path() + "); contact the administrator.").c_str());
            c.close(codes::SSH_BACKEND_REJECTED_HANDSHAKE, e.what());
            return;
        }
        c.open_backend(std::move(effective));
    }));
}

void Connection::open_backend(std::string config_json) {
    const auto& backend = context_.plugins.backend;
    backend.api->connection_open(
        backend.instance, &info(), {config_json.data(), config_json.size()},
        // A late answer still runs: a backend connection opened after the
        // client left must be closed again.
        open_completion(*this, {backend.id, "connection_open", AtConnectionEnd::still_runs}, [](Connection& c, OpenAnswer a) {
            if (c.closing()) {
                // The client left while the backend was preparing: clean up what it made.
                if (a.status == CSH_OK && a.connection != nullptr) {
                    c.context_.plugins.backend.api->connection_close(
                        a.connection, {[](void*, csh_status, csh_str) {}, nullptr});
                }
                return;
            }
            if (a.status != CSH_OK || a.connection == nullptr) {
                const std::string message = a.user_message.empty()
                                                ? std::string("Authentication currently unavailable, please try again later.")
                                                : a.user_message;
                ssh_session_set_disconnect_message(c.session_, message.c_str());
                c.close(codes::SSH_BACKEND_REJECTED_HANDSHAKE, "backend failed: " + a.reason);
                return;
            }
            c.backend_connection_ = a.connection;
            c.state_ = State::ready;
            c.context_.metrics.phase(LoginPhase::backend, a.waited);
            c.context_.metrics.handshake_succeeded(c.country_, c.authenticated_after_);
            if (c.deadlines_.any()) c.start_deadlines();
            // post() then pumps: the requests that waited are taken now.
        }));
}

SessionChannel* Connection::find_channel(uint64_t id) {
    auto it = channels_.find(id);
    return it != channels_.end() ? it->second.get() : nullptr;
}

namespace {
const char* channel_type_name(int type) {
    switch (type) {
        case SSH_CHANNEL_SESSION: return "session";
        case SSH_CHANNEL_DIRECT_TCPIP: return "direct-tcpip";
        case SSH_CHANNEL_FORWARDED_TCPIP: return "forwarded-tcpip";
        case SSH_CHANNEL_X11: return "x11";
        default: return "unknown";
    }
}
}  // namespace

void Connection::open_channel(Message message) {
    const int type = message.subtype();
    const uint64_t channel_id = next_channel_id_++;
    const char* type_name = channel_type_name(type);
    const auto audit_channel = static_cast<int64_t>(channel_id);
    const std::string label = std::to_string(channel_id);
    if (audit_) audit_->emit(CSH_AUDIT_NEW_CHANNEL, audit_channel, {audit_field::text("channelType", type_name)});

    auto reject = [&](const char* code, const std::string& reason, const std::string& user_message = {}) {
        if (user_message.empty()) {
            log(code, reason, {{"channelId", label}, {"channelType", type_name}, {"reason", reason}});
        } else {
            log(code, reason,
                {{"channelId", label}, {"channelType", type_name}, {"reason", reason}, {"userMessage", user_message}});
        }
        if (audit_) {
            audit_->emit(CSH_AUDIT_NEW_CHANNEL_FAILED, audit_channel,
                         {audit_field::text("channelType", type_name), audit_field::text("reason", reason)});
        }
        message.reply_default();
    };
    if (type == SSH_CHANNEL_DIRECT_TCPIP) {
        open_forward(std::move(message), channel_id);
        return;
    }
    if (type != SSH_CHANNEL_SESSION) {
        reject(codes::SSH_UNSUPPORTED_CHANNEL_TYPE, std::string("unsupported channel type ") + type_name);
        return;
    }
    if (state_ != State::ready || backend_connection_ == nullptr) {
        reject(codes::SSH_NEW_CHANNEL_REJECTED, "connection is not ready");
        return;
    }
    // Holds whatever maxSessions says (-1 included): each session is a
    // program in the backend, so a client may not start without bound.
    if (at_max_channels([&](const char* code, const std::string& reason) { reject(code, reason); })) return;
    if (policy_->session_limit_reached(channels_.size())) {
        // libssh 0.10 can only refuse a channel as "administratively
        // prohibited"; ContainerSSH says "resource shortage" (docs/security.md).
        reject(codes::SECURITY_MAX_SESSIONS, "the connection already has security.maxSessions (" +
                                                 std::to_string(policy_->max_sessions()) + ") sessions open");
        context_.metrics.security_refused(codes::SECURITY_MAX_SESSIONS);
        return;
    }
    auto session = std::make_unique<SessionChannel>(*this, channel_id);
    csh_backend_session* backend_session = nullptr;
    const auto status = context_.plugins.backend.api->session_open(backend_connection_, &session->params(), &backend_session);
    if (status != CSH_OK || backend_session == nullptr) {
        if (const auto& refusal = session->refusal(); refusal && !refusal->reason.empty()) {
            reject(codes::SSH_NEW_CHANNEL_REJECTED, refusal->reason, refusal->user_message);
        } else {
            reject(codes::SSH_NEW_CHANNEL_REJECTED, "the backend refused the session");
        }
        return;
    }
    ssh_channel channel = message.accept_channel();
    if (channel == nullptr) {
        context_.plugins.backend.api->session_close(backend_session);
        log(codes::SSH_REPLY_SEND_FAILED, "", {{"channelId", label}});
        return;
    }
    session->attach(channel, backend_session);
    channels_.emplace(channel_id, std::move(session));
    log(codes::SSH_NEW_CHANNEL, "", {{"channelId", label}, {"channelType", type_name}});
    if (audit_) audit_->emit(CSH_AUDIT_NEW_CHANNEL_SUCCESSFUL, audit_channel, {audit_field::text("channelType", type_name)});
}

void Connection::channel_request(Message message) {
    ssh_channel channel = ssh_message_channel_request_channel(message.get());
    for (auto& [id, session] : channels_) {
        if (session->channel() == channel) {
            session->handle_request(std::move(message));
            return;
        }
    }
}

bool Connection::at_max_channels(const std::function<void(const char* code, const std::string& reason)>& reject) {
    const auto limit = policy_->limits().max_channels;
    if (channels_open() < limit) return false;
    reject(codes::SECURITY_MAX_CHANNELS,
           "the connection already has security.maxChannels (" + std::to_string(limit) + ") channels open");
    context_.metrics.security_refused(codes::SECURITY_MAX_CHANNELS);
    return true;
}

bool Connection::output_room_unannounced() const {
    return std::any_of(channels_.begin(), channels_.end(),
                       [](const auto& entry) { return entry.second->output_room_unannounced(); }) ||
           std::any_of(forwards_.begin(), forwards_.end(),
                       [](const auto& entry) { return entry.second->output_room_unannounced(); });
}

void Connection::service_channels() {
    for (auto it = channels_.begin(); it != channels_.end();) {
        if (it->second->service()) {
            it = channels_.erase(it);
        } else {
            ++it;
        }
    }
    for (auto it = forwards_.begin(); it != forwards_.end();) {
        if (it->second->service()) {
            it = forwards_.erase(it);
        } else {
            ++it;
        }
    }
}

}  // namespace csh::ssh
