// Remote forwards (tcpip-forward: ssh -R): the policy decides, the backend
// listens, and each connection it accepts comes back as a forwarded-tcpip
// channel the server opens towards the client. See docs/forwarding.md.
#include "log/codes.hpp"
#include "security/mode.hpp"
#include "ssh/completions.hpp"
#include "ssh/connection.hpp"
#include "ssh/forward_channel.hpp"
#include "ssh/forward_listener.hpp"
#include "ssh/libssh_messages.hpp"

#include <algorithm>
#include <functional>
#include <vector>

namespace csh::ssh {

namespace {
constexpr const char* kTcpipForward = "tcpip-forward";
constexpr const char* kForwardedTcpip = "forwarded-tcpip";
constexpr const char* kAuthAgent = "auth-agent@openssh.com";

struct BindRequest {
    std::string address;
    uint32_t port = 0;
};

BindRequest bind_of(ssh_message message) {
    return {msg::str_or_empty(ssh_message_global_request_address(message)),
            static_cast<uint32_t>(ssh_message_global_request_port(message))};
}

void audit_bind(AuditStreams* audit, csh_audit_type type, const BindRequest& bind) {
    if (audit == nullptr) return;
    audit->emit(type, CSH_AUDIT_NO_CHANNEL,
                {audit_field::text("BindHost", bind.address), audit_field::uint("BindPort", bind.port)});
}

// A server-opened channel that did not open, whoever refused it.
void record_refusal(Connection& c, const char* code, uint64_t channel_id, std::string_view type,
                    const std::string& listener, std::string_view reason) {
    c.log(code, reason,
          {{"channelId", std::to_string(channel_id)}, {"channelType", type}, {"listener", listener}, {"reason", reason}});
    if (auto* audit = c.audit()) {
        audit->emit(CSH_AUDIT_NEW_CHANNEL_FAILED, static_cast<int64_t>(channel_id),
                    {audit_field::text("channelType", type), audit_field::text("reason", reason)});
    }
    c.context().metrics.forward_failed(type);
}

const char* channel_type_of(const ForwardListener& listener) {
    if (listener.kind() == CSH_FORWARD_AGENT) return kAuthAgent;
    return listener.kind() == CSH_FORWARD_X11 ? "x11" : kForwardedTcpip;
}
}  // namespace

void Connection::listen(Message message) {
    const BindRequest bind = bind_of(message.get());
    audit_bind(audit_.get(), CSH_AUDIT_REQUEST_REVERSE_FORWARD, bind);
    const GlobalReplies::Ticket ticket = global_replies_.add(std::move(message));
    const std::string port = std::to_string(bind.port);
    auto refuse = [&](const char* code, const std::string& reason) {
        log(code, reason, {{"bindHost", bind.address}, {"bindPort", port}, {"reason", reason}});
        global_replies_.refuse(ticket);
    };
    if (state_ != State::ready || backend_connection_ == nullptr) {
        refuse(codes::SSH_REVERSE_FORWARD_FAILED, "connection is not ready");
        return;
    }
    if (!policy_->allows_reverse_forwarding()) {
        const auto mode = policy_->reverse_forwarding_mode();
        std::string reason = std::string("security.forwarding.reverseForwardingMode (mode ") +
                             security::mode_name(mode) + ") does not allow remote port forwarding";
        if (mode == security::Mode::filter) reason += ": filtering is not supported, a listen request has nothing to match";
        refuse(codes::SECURITY_REVERSE_FORWARDING_REJECTED, reason);
        context_.metrics.security_refused(codes::SECURITY_REVERSE_FORWARDING_REJECTED);
        return;
    }
    const auto limit = policy_->limits().max_forward_listeners;
    if (listeners_.size() >= limit) {
        refuse(codes::SECURITY_MAX_FORWARD_LISTENERS,
               "the connection already has security.maxForwardListeners (" + std::to_string(limit) + ") remote forwards");
        context_.metrics.security_refused(codes::SECURITY_MAX_FORWARD_LISTENERS);
        return;
    }
    if (bind.port > 65535) {
        refuse(codes::SSH_REVERSE_FORWARD_FAILED, "the port is out of range");
        return;
    }
    if (find_listener(bind.address, bind.port) != listeners_.end()) {
        refuse(codes::SSH_REVERSE_FORWARD_FAILED, "the connection already forwards " + bind.address + ":" + port);
        return;
    }
    const auto& backend = context_.plugins.backend;
    if (!CSH_TABLE_HAS(backend.api, csh_backend_interface, listen_stop) || backend.api->listen_start == nullptr ||
        backend.api->listen_stop == nullptr || backend.api->forward_data == nullptr ||
        backend.api->forward_eof == nullptr || backend.api->forward_output_ready == nullptr ||
        backend.api->forward_close == nullptr) {
        refuse(codes::SSH_REVERSE_FORWARD_FAILED, "the backend " + backend.id + " does not support remote port forwarding");
        return;
    }
    auto listener = std::make_shared<ForwardListener>(*this, bind.address, bind.port);
    listeners_.push_back(listener);
    // still_runs: a listener started after the client left must be stopped again.
    backend.api->listen_start(backend_connection_, &listener->params(),
                              listen_completion(*this, {backend.id, "listen_start", AtConnectionEnd::still_runs},
                                                [listener, ticket](Connection& c, ListenAnswer a) {
                                                    c.listening(listener, ticket, std::move(a));
                                                }));
}

std::vector<std::shared_ptr<ForwardListener>>::iterator Connection::find_waited_for(
    const std::shared_ptr<ForwardListener>& listener, const ListenAnswer& answer) {
    const auto it = std::find(listeners_.begin(), listeners_.end(), listener);
    if (!closing() && it != listeners_.end()) return it;
    // Nothing waits for it any more (cancelled, its session or the connection ended).
    if (answer.status == CSH_OK && answer.listener != nullptr) stop_unused(answer.listener);
    return listeners_.end();
}

void Connection::listening(const std::shared_ptr<ForwardListener>& listener, GlobalReplies::Ticket ticket,
                           ListenAnswer answer) {
    const auto it = find_waited_for(listener, answer);
    if (it == listeners_.end()) return;
    // A port-0 request needs the port bound: the client reads it from the reply.
    const bool port_unknown = answer.status == CSH_OK && answer.listener != nullptr &&
                              ((listener->requested_port() == 0 && answer.bound_port == 0) || answer.bound_port > 65535);
    if (port_unknown) {
        stop_unused(std::exchange(answer.listener, nullptr));
        answer.reason = "the backend reported no valid port bound (" + std::to_string(answer.bound_port) + ")";
    }
    if (answer.status != CSH_OK || answer.listener == nullptr) {
        const std::string reason = answer.reason.empty() ? "the backend could not listen" : answer.reason;
        log(codes::SSH_REVERSE_FORWARD_FAILED, reason,
            {{"bindHost", listener->address()},
             {"bindPort", std::to_string(listener->requested_port())},
             {"reason", reason}});
        listeners_.erase(it);
        global_replies_.refuse(ticket);
        return;
    }
    listener->started(answer.listener, answer.bound_port);
    context_.metrics.listener_started(kTcpipForward);
    log(codes::SSH_REVERSE_FORWARD_LISTENING, "",
        {{"bindHost", listener->address()}, {"bindPort", std::to_string(listener->bound_port())}});
    // libssh appends the port to the reply exactly when port 0 was asked for.
    const auto bound = static_cast<uint16_t>(listener->bound_port());
    global_replies_.answer(ticket, [bound](Message& m) { m.answer(ssh_message_global_request_reply_success, bound); });
}

void Connection::stop_unused(csh_backend_listener* listener) {
    const auto& backend = context_.plugins.backend;
    backend.api->listen_stop(listener, status_completion(*this, {backend.id, "listen_stop"}, [](Connection&, StatusAnswer) {}));
}

void Connection::cancel_listen(Message message) {
    const BindRequest bind = bind_of(message.get());
    audit_bind(audit_.get(), CSH_AUDIT_REQUEST_CANCEL_REVERSE_FORWARD, bind);
    const GlobalReplies::Ticket ticket = global_replies_.add(std::move(message));
    const auto it = find_listener(bind.address, bind.port);
    if (it == listeners_.end() || !(*it)->active()) {
        log(codes::SSH_GLOBAL_REQUEST_FAILED, "cancel-tcpip-forward names no active remote forward",
            {{"bindHost", bind.address}, {"bindPort", std::to_string(bind.port)}});
        global_replies_.refuse(ticket);
        return;
    }
    const std::shared_ptr<ForwardListener> listener = *it;
    listeners_.erase(it);
    context_.metrics.listener_stopped(kTcpipForward);
    log(codes::SSH_REVERSE_FORWARD_CANCELLED, "cancelled by the client",
        {{"bindHost", listener->address()}, {"bindPort", std::to_string(listener->bound_port())}});
    const auto& backend = context_.plugins.backend;
    backend.api->listen_stop(listener->take_backend(),
                             status_completion(*this, {backend.id, "listen_stop"},
                                               [listener, ticket](Connection& c, StatusAnswer a) {
                                                   if (a.status != CSH_OK) {
                                                       c.global_replies_.refuse(ticket);
                                                       return;
                                                   }
                                                   c.global_replies_.answer(ticket, [](Message& m) {
                                                       m.answer(ssh_message_global_request_reply_success, uint16_t{0});
                                                   });
                                               }));
}

std::vector<std::shared_ptr<ForwardListener>>::iterator Connection::find_listener(const std::string& address,
                                                                                 uint32_t port) {
    return std::find_if(listeners_.begin(), listeners_.end(),
                        [&](const auto& listener) { return listener->named_by(address, port); });
}

void Connection::stop_listeners(std::function<void(Connection&)> then) {
    std::vector<std::shared_ptr<ForwardListener>> active;
    for (const auto& listener : listeners_) {
        if (listener->active()) active.push_back(listener);
    }
    // One still starting is stopped by its completion (listening()).
    listeners_.clear();
    if (active.empty()) {
        then(*this);
        return;
    }
    const auto& backend = context_.plugins.backend;
    auto remaining = std::make_shared<size_t>(active.size());
    auto after = std::make_shared<std::function<void(Connection&)>>(std::move(then));
    for (const auto& listener : active) {
        context_.metrics.listener_stopped(listener->type());
        if (listener->kind() == CSH_FORWARD_TCPIP) {
            log(codes::SSH_REVERSE_FORWARD_CANCELLED, "the connection closed",
                {{"bindHost", listener->address()}, {"bindPort", std::to_string(listener->bound_port())}});
        }
        backend.api->listen_stop(listener->take_backend(),
                                 status_completion(*this, {backend.id, "listen_stop", AtConnectionEnd::still_runs},
                                                   [listener, remaining, after](Connection& c, StatusAnswer) {
                                                       if (--*remaining == 0) (*after)(c);
                                                   }));
    }
}

void Connection::open_to_client(ForwardListener& listener, const csh_forward_channel_params& params,
                                csh_backend_forward* channel, csh_forward_open_completion done) {
    const uint64_t channel_id = next_channel_id_++;
    ForwardChannel::Target target;
    // The listener's, not the backend's: the client matches its forwards by them.
    target.host = listener.address();
    target.port = listener.bound_port();
    target.originator_host = std::string(params.originator_address.data != nullptr ? params.originator_address.data : "",
                                         params.originator_address.size);
    target.originator_port = params.originator_port;
    const auto audit_channel = static_cast<int64_t>(channel_id);
    const char* type = channel_type_of(listener);
    if (audit_ && listener.kind() == CSH_FORWARD_AGENT) {
        // ContainerSSH has no type of its own for it: a plain new channel.
        audit_->emit(CSH_AUDIT_NEW_CHANNEL, audit_channel, {audit_field::text("channelType", type)});
    } else if (audit_ && listener.kind() == CSH_FORWARD_X11) {
        audit_->emit(CSH_AUDIT_NEW_CHANNEL_X11, audit_channel,
                     {audit_field::text("OriginatorHost", target.originator_host),
                      audit_field::uint("OriginatorPort", target.originator_port)});
    } else if (audit_) {
        audit_->emit(CSH_AUDIT_NEW_CHANNEL_FORWARDED_TCPIP, audit_channel,
                     {audit_field::text("ConnectedHost", target.host), audit_field::uint("ConnectedPort", target.port),
                      audit_field::text("OriginatorHost", target.originator_host),
                      audit_field::uint("OriginatorPort", target.originator_port)});
    }
    auto refuse = [&](const char* code, const std::string& reason) {
        record_refusal(*this, code, channel_id, type, listener.label(), reason);
        // Never inside the backend's call.
        post([done, reason](Connection&) { ForwardChannel::answer(done, CSH_FAILED, reason); });
    };
    if (closing() || !listener.active()) {
        refuse(codes::SSH_REVERSE_FORWARD_REFUSED, "the remote forward has ended");
        return;
    }
    if (at_max_channels(refuse)) return;
    forwards_.emplace(channel_id, std::make_shared<ForwardChannel>(*this, channel_id, std::move(target),
                                                                   listener.kind(), channel, done));
    wake();  // the pump opens it (forward_channel.cpp), outside the backend's call
}

void Connection::reverse_forward_answered(const ForwardChannel& forward, std::string_view refusal) {
    const std::string label = std::to_string(forward.id());
    const std::string listener = forward.target().host + ":" + std::to_string(forward.target().port);
    const std::string originator =
        forward.target().originator_host + ":" + std::to_string(forward.target().originator_port);
    if (!refusal.empty()) {
        record_refusal(*this, codes::SSH_REVERSE_FORWARD_REFUSED, forward.id(), forward.type(), listener, refusal);
        return;
    }
    log(codes::SSH_REVERSE_FORWARD_OPENED, "",
        {{"channelId", label}, {"channelType", forward.type()}, {"listener", listener}, {"originator", originator}});
    if (audit_) {
        audit_->emit(CSH_AUDIT_NEW_CHANNEL_SUCCESSFUL, static_cast<int64_t>(forward.id()),
                     {audit_field::text("channelType", forward.type())});
    }
}

// ---- Listeners for a session: SSH agent (ssh -A) and X11 (ssh -X) ------------

namespace {
// The codes a session listener logs, by kind.
struct SessionCodes {
    const char* listening;
    const char* failed;
    const char* what;
};
SessionCodes session_codes(csh_forward_kind kind) {
    if (kind == CSH_FORWARD_X11) return {codes::SSH_X11_FORWARD_LISTENING, codes::SSH_X11_FORWARD_FAILED, "X11 forwarding"};
    return {codes::SSH_AGENT_FORWARD_LISTENING, codes::SSH_AGENT_FORWARD_FAILED, "agent forwarding"};
}
}  // namespace

void Connection::listen_for_session(csh_forward_kind kind, uint64_t channel_id, csh_backend_session* session,
                                    X11Request x11, SessionListened then) {
    const std::string label = std::to_string(channel_id);
    const SessionCodes names = session_codes(kind);
    auto give_up = [&](const char* code, const std::string& reason) {
        log(code, reason, {{"channelId", label}, {"reason", reason}});
        then(*this, false);
    };
    const auto& backend = context_.plugins.backend;
    if (!CSH_TABLE_HAS(backend.api, csh_backend_interface, listen_stop) || backend.api->listen_start == nullptr ||
        backend.api->listen_stop == nullptr || backend.api->forward_close == nullptr) {
        give_up(names.failed, "the backend " + backend.id + " does not support " + names.what);
        return;
    }
    const auto limit = policy_->limits().max_forward_listeners;
    if (listeners_.size() >= limit) {
        context_.metrics.security_refused(codes::SECURITY_MAX_FORWARD_LISTENERS);
        give_up(codes::SECURITY_MAX_FORWARD_LISTENERS,
                "the connection already has security.maxForwardListeners (" + std::to_string(limit) + ") listeners");
        return;
    }
    auto listener = std::make_shared<ForwardListener>(*this, channel_id, session, kind, std::move(x11));
    listeners_.push_back(listener);
    auto after = std::make_shared<SessionListened>(std::move(then));
    backend.api->listen_start(backend_connection_, &listener->params(),
                              listen_completion(*this, {backend.id, "listen_start", AtConnectionEnd::still_runs},
                                                [listener, after](Connection& c, ListenAnswer a) {
                                                    c.session_listening(listener, std::move(a), *after);
                                                }));
}

void Connection::session_listening(const std::shared_ptr<ForwardListener>& listener, ListenAnswer answer,
                                   const SessionListened& then) {
    const auto it = find_waited_for(listener, answer);
    if (it == listeners_.end()) return;
    const std::string label = std::to_string(listener->session_channel());
    const SessionCodes names = session_codes(listener->kind());
    if (answer.status != CSH_OK || answer.listener == nullptr) {
        const std::string reason =
            answer.reason.empty() ? std::string("the backend could not set up ") + names.what : answer.reason;
        log(names.failed, reason, {{"channelId", label}, {"reason", reason}});
        listeners_.erase(it);
        then(*this, false);
        return;
    }
    listener->started(answer.listener, 0);
    context_.metrics.listener_started(listener->type());
    log(names.listening, "", {{"channelId", label}});
    then(*this, true);
}

void Connection::stop_session_listeners(uint64_t channel_id) {
    const auto& backend = context_.plugins.backend;
    for (auto it = listeners_.begin(); it != listeners_.end();) {
        const std::shared_ptr<ForwardListener> listener = *it;
        if (listener->kind() == CSH_FORWARD_TCPIP || listener->session_channel() != channel_id) {
            ++it;
            continue;
        }
        it = listeners_.erase(it);
        // One still starting is stopped by its completion (session_listening()).
        if (!listener->active()) continue;
        context_.metrics.listener_stopped(listener->type());
        backend.api->listen_stop(listener->take_backend(), status_completion(*this, {backend.id, "listen_stop"},
                                                                             [listener](Connection&, StatusAnswer) {}));
    }
}

}  // namespace csh::ssh
