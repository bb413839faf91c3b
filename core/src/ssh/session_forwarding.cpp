// What a session forwards to the client, both served by a listener of the
// backend for the session's program:
//  - its SSH agent (auth-agent-req@openssh.com: ssh -A). libssh calls its
//    channel callback synchronously, outside the request queue, and answers
//    a want_reply itself (OpenSSH sends none): so the request is only
//    recorded there, and applied before the session's next program starts,
//    which waits for the backend to listen (SSH_AUTH_SOCK comes from it).
//  - X11 (x11-req: ssh -X, -Y), a queued request answered once the backend
//    listens on a display (DISPLAY comes from it); the program request that
//    follows waits in the queue meanwhile.
#include "log/codes.hpp"
#include "security/mode.hpp"
#include "ssh/completions.hpp"
#include "ssh/connection.hpp"
#include "ssh/forward_listener.hpp"
#include "ssh/session_channel.hpp"

#include <memory>

namespace csh::ssh {

namespace {
constexpr const char* kAuthAgentReq = "auth-agent-req@openssh.com";
}  // namespace

// A request waiting for the backend's listener, with the client's message
// (and with it the connection's queue).
struct SessionChannel::Held {
    ChannelRequest request;
    Message reply_to;
    Answered answered;
};

void SessionChannel::on_auth_agent_req(ssh_session, ssh_channel, void* self_ptr) {
    auto* self = static_cast<SessionChannel*>(self_ptr);
    auto& c = self->connection_;
    c.note_traffic();
    c.log(codes::SSH_CHANNEL_REQUEST, "", {{"channelId", std::to_string(self->id_)}, {"requestType", kAuthAgentReq}});
    // ContainerSSH has no type of its own for it: decoders see an unknown request.
    if (auto* audit = c.audit()) {
        audit->emit(CSH_AUDIT_CHANNEL_REQUEST_UNKNOWN, static_cast<int64_t>(self->id_),
                    {audit_field::uint("requestId", c.next_request_id()), audit_field::text("requestType", kAuthAgentReq)});
    }
    self->agent_requested_ = true;
}

void SessionChannel::set_up_agent_forwarding(ChannelRequest request, Message reply_to, Answered answered) {
    agent_settled_ = true;
    auto& c = connection_;
    const auto& policy = c.policy();
    if (!policy.allows_agent_forwarding() || backend_ == nullptr) {
        const auto mode = policy.agent_forwarding_mode();
        std::string reason = std::string("security.forwarding.agentForwardingMode (mode ") + security::mode_name(mode) +
                             ") does not allow SSH agent forwarding";
        if (mode == security::Mode::filter) reason += ": filtering is not supported, the request has nothing to match";
        c.log(codes::SECURITY_AGENT_FORWARDING_REJECTED, reason,
              {{"channelId", std::to_string(id_)}, {"requestType", kAuthAgentReq}, {"reason", reason}});
        c.context().metrics.security_refused(codes::SECURITY_AGENT_FORWARDING_REJECTED);
        forward(request, std::move(reply_to), std::move(answered));
        return;
    }
    // The program request waits here, holding the client's message (and
    // the connection's queue), until the backend answered.
    auto held = std::make_shared<Held>(Held{std::move(request), std::move(reply_to), std::move(answered)});
    c.listen_for_session(CSH_FORWARD_AGENT, id_, backend_, {}, [held, channel_id = id_](Connection& conn, bool) {
        auto* channel = conn.find_channel(channel_id);
        if (conn.closing() || channel == nullptr) {
            held->reply_to.discard();
            return;
        }
        channel->forward(held->request, std::move(held->reply_to), std::move(held->answered));
    });
}

void SessionChannel::set_up_x11_forwarding(ChannelRequest request, Message reply_to, Answered answered) {
    if (backend_ == nullptr || x11_requested_) {
        StatusAnswer refused;
        refused.reason = x11_requested_ ? "X11 forwarding is set up already" : "the session has no backend";
        answer(std::move(reply_to), answered, refused);
        return;
    }
    x11_requested_ = true;
    X11Request x11{request.single_connection, request.key, request.value, request.screen};
    auto held = std::make_shared<Held>(Held{std::move(request), std::move(reply_to), std::move(answered)});
    connection_.listen_for_session(
        CSH_FORWARD_X11, id_, backend_, std::move(x11), [held, channel_id = id_](Connection& conn, bool listening) {
            auto* channel = conn.find_channel(channel_id);
            if (conn.closing() || channel == nullptr) {
                held->reply_to.discard();
                return;
            }
            StatusAnswer result;
            result.status = listening ? CSH_OK : CSH_FAILED;
            if (!listening) result.reason = "X11 forwarding could not be set up";
            channel->answer(std::move(held->reply_to), held->answered, result);
        });
}

}  // namespace csh::ssh
