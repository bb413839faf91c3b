// Client-opened forwarding channels (direct-tcpip: ssh -L, -D, -W): the
// policy decides, the backend connects, then the channel is accepted or
// refused. See docs/forwarding.md.
#include "log/codes.hpp"
#include "security/mode.hpp"
#include "ssh/completions.hpp"
#include "ssh/connection.hpp"
#include "ssh/forward_channel.hpp"
#include "ssh/libssh_messages.hpp"

namespace csh::ssh {

namespace {
constexpr const char* kDirectTcpip = "direct-tcpip";

std::string target_label(const ForwardChannel::Target& t) { return t.host + ":" + std::to_string(t.port); }

ForwardChannel::Target target_of(ssh_message message) {
    ForwardChannel::Target t;
    t.host = msg::str_or_empty(ssh_message_channel_request_open_destination(message));
    t.port = static_cast<uint32_t>(ssh_message_channel_request_open_destination_port(message));
    t.originator_host = msg::str_or_empty(ssh_message_channel_request_open_originator(message));
    t.originator_port = static_cast<uint32_t>(ssh_message_channel_request_open_originator_port(message));
    return t;
}
}  // namespace

void Connection::open_forward(Message message, uint64_t channel_id) {
    const auto audit_channel = static_cast<int64_t>(channel_id);
    const std::string label = std::to_string(channel_id);
    ForwardChannel::Target target = target_of(message.get());
    const std::string where = target_label(target);
    if (audit_) {
        audit_->emit(CSH_AUDIT_NEW_CHANNEL_DIRECT_TCPIP, audit_channel,
                     {audit_field::text("HostToConnect", target.host),
                      audit_field::uint("PortToConnect", target.port),
                      audit_field::text("OriginatorHost", target.originator_host),
                      audit_field::uint("OriginatorPort", target.originator_port)});
    }
    // libssh 0.10 refuses a channel only as "administratively prohibited".
    auto reject = [&](const char* code, const std::string& reason) {
        log(code, reason, {{"channelId", label}, {"channelType", kDirectTcpip}, {"target", where}, {"reason", reason}});
        if (audit_) {
            audit_->emit(CSH_AUDIT_NEW_CHANNEL_FAILED, audit_channel,
                         {audit_field::text("channelType", kDirectTcpip), audit_field::text("reason", reason)});
        }
        message.reply_default();
    };
    if (state_ != State::ready || backend_connection_ == nullptr) {
        reject(codes::SSH_NEW_CHANNEL_REJECTED, "connection is not ready");
        return;
    }
    if (!policy_->allows_forwarding()) {
        const auto mode = policy_->forwarding_mode();
        std::string reason = std::string("security.forwarding.forwardingMode (mode ") + security::mode_name(mode) +
                             ") does not allow port forwarding";
        if (mode == security::Mode::filter) reason += ": filtering is not supported, a channel open has nothing to match";
        reject(codes::SECURITY_FORWARDING_REJECTED, reason);
        context_.metrics.security_refused(codes::SECURITY_FORWARDING_REJECTED);
        return;
    }
    if (at_max_channels(reject)) return;
    const auto& backend = context_.plugins.backend;
    if (!CSH_TABLE_HAS(backend.api, csh_backend_interface, forward_close) || backend.api->forward_open == nullptr ||
        backend.api->forward_data == nullptr || backend.api->forward_eof == nullptr ||
        backend.api->forward_output_ready == nullptr || backend.api->forward_close == nullptr) {
        reject(codes::SSH_FORWARD_REFUSED, "the backend " + backend.id + " does not support port forwarding");
        return;
    }
    auto forward = std::make_shared<ForwardChannel>(*this, channel_id, std::move(target), std::move(message));
    forwards_.emplace(channel_id, forward);
    // still_runs: a channel the backend connected after the client left
    // must be closed again.
    backend.api->forward_open(backend_connection_, &forward->params(),
                              forward_open_completion(*this, {backend.id, "forward_open", AtConnectionEnd::still_runs},
                                                      [forward](Connection& c, ForwardOpenAnswer a) {
                                                          c.forward_opened(forward, std::move(a));
                                                      }));
}

void Connection::forward_opened(const std::shared_ptr<ForwardChannel>& forward, ForwardOpenAnswer answer) {
    const auto& backend = context_.plugins.backend;
    const auto it = forwards_.find(forward->id());
    if (closing() || it == forwards_.end() || it->second != forward) {
        if (answer.status == CSH_OK && answer.channel != nullptr) backend.api->forward_close(answer.channel);
        return;
    }
    const std::string label = std::to_string(forward->id());
    const std::string where = target_label(forward->target());
    const auto audit_channel = static_cast<int64_t>(forward->id());
    if (answer.status != CSH_OK || answer.channel == nullptr) {
        const std::string reason = answer.reason.empty() ? "the backend refused the forwarding channel" : answer.reason;
        if (answer.user_message.empty()) {
            log(codes::SSH_FORWARD_REFUSED, reason,
                {{"channelId", label}, {"channelType", kDirectTcpip}, {"target", where}, {"reason", reason}});
        } else {
            log(codes::SSH_FORWARD_REFUSED, reason,
                {{"channelId", label},
                 {"channelType", kDirectTcpip},
                 {"target", where},
                 {"reason", reason},
                 {"userMessage", answer.user_message}});
        }
        if (audit_) {
            audit_->emit(CSH_AUDIT_NEW_CHANNEL_FAILED, audit_channel,
                         {audit_field::text("channelType", kDirectTcpip), audit_field::text("reason", reason)});
        }
        context_.metrics.forward_failed(kDirectTcpip);
        forward->refused();
        forwards_.erase(it);
        return;
    }
    if (!forward->opened(answer.channel)) {
        log(codes::SSH_REPLY_SEND_FAILED, "", {{"channelId", label}});
        forwards_.erase(it);
        return;
    }
    log(codes::SSH_FORWARD_OPENED, "", {{"channelId", label}, {"channelType", kDirectTcpip}, {"target", where}});
    if (audit_) {
        audit_->emit(CSH_AUDIT_NEW_CHANNEL_SUCCESSFUL, audit_channel, {audit_field::text("channelType", kDirectTcpip)});
    }
}

}  // namespace csh::ssh
