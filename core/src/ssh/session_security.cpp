// What a session channel does with the security policy's verdict on a
// request (ssh/request_policy.hpp): a refusal, or the forced command in
// place of what the client asked for. See docs/security.md.
#include "log/codes.hpp"
#include "ssh/completions.hpp"
#include "ssh/connection.hpp"
#include "ssh/request_policy.hpp"
#include "ssh/session_channel.hpp"

#include <chrono>

namespace csh::ssh {

namespace {

constexpr std::string_view kOriginalCommand = "SSH_ORIGINAL_COMMAND";

// OpenSSH's client drops the rest of a channel's stderr when it reads a
// failed exec, shell or subsystem in the same read as the line before it:
// the failure closes the channel before its stderr buffer is written out.
// Answering a little later lets the line reach the user's terminal; only
// refusals a human waits for pay it.
constexpr auto kTellUserBeforeRefusal = std::chrono::milliseconds(100);

}  // namespace

void SessionChannel::refuse(Message reply_to, const Answered& request, const PolicyVerdict& verdict) {
    auto& c = connection_;
    const std::string label = std::to_string(id_);
    // The item (a variable's name, a command, a subsystem, a signal), never
    // an env value: the reason is built without it.
    if (verdict.item_field.empty()) {
        c.log(verdict.code, verdict.reason, {{"channelId", label}, {"requestType", request.name}});
    } else {
        c.log(verdict.code, verdict.reason,
              {{"channelId", label}, {"requestType", request.name}, {verdict.item_field, verdict.item}});
    }
    c.context().metrics.security_refused(verdict.code);
    StatusAnswer refused;
    refused.status = CSH_FAILED;
    refused.reason = verdict.reason;
    if (verdict.user_message.empty() || !tell_user(verdict.user_message)) {
        answer(std::move(reply_to), request, refused);
        return;
    }
    c.post_after(kTellUserBeforeRefusal, [reply_to = std::move(reply_to), channel_id = id_, request,
                                          refused = std::move(refused)](Connection& conn) mutable {
        auto* channel = conn.find_channel(channel_id);
        if (conn.closing() || channel == nullptr) {
            reply_to.discard();  // the channel, and with it the request, is gone
            return;
        }
        channel->answer(std::move(reply_to), request, refused);
    });
}

void SessionChannel::force_command(Message reply_to, Answered answered, const PolicyVerdict& verdict) {
    auto& c = connection_;
    const std::string& forced = c.policy().forced_command();
    c.log(codes::SECURITY_EXEC_FORCING_COMMAND, "",
          {{"channelId", std::to_string(id_)}, {"requestType", answered.name}, {"command", forced}});
    if (!verdict.set_original_command) {
        run_forced_command(std::move(reply_to), std::move(answered), StatusAnswer{{}, CSH_OK, {}});
        return;
    }
    // As ContainerSSH: an env request to the backend, then the exec. The
    // original travels in the environment only, never in a log line.
    const auto& backend = c.context().plugins.backend;
    auto set = status_completion(
        c, {backend.id, "env", AtConnectionEnd::drop_and_report},
        [reply_to = std::move(reply_to), channel_id = id_, answered = std::move(answered)](
            Connection& conn, StatusAnswer answer) mutable {
            auto* channel = conn.find_channel(channel_id);
            if (conn.closing() || channel == nullptr) {
                reply_to.discard();
                return;
            }
            channel->run_forced_command(std::move(reply_to), std::move(answered), answer);
        });
    if (backend_ == nullptr || finished_) {
        set.complete(set.context, CSH_FAILED, {"the session is over", 19});
        return;
    }
    if (backend.api->session_env == nullptr) {
        const std::string_view reason = "the backend does not support environment variables";
        set.complete(set.context, CSH_FAILED, {reason.data(), reason.size()});
        return;
    }
    backend.api->session_env(backend_, {kOriginalCommand.data(), kOriginalCommand.size()},
                             {verdict.original_command.data(), verdict.original_command.size()}, set);
}

void SessionChannel::run_forced_command(Message reply_to, Answered answered, const StatusAnswer& original_command_set) {
    auto& c = connection_;
    if (original_command_set.status != CSH_OK) {
        const std::string label = std::to_string(id_);
        c.log(codes::SECURITY_EXEC_FAILED_SETENV, original_command_set.reason,
              {{"channelId", label}, {"requestType", answered.name}, {"reason", original_command_set.reason}});
        StatusAnswer failed;
        failed.status = CSH_FAILED;
        failed.reason = "could not set SSH_ORIGINAL_COMMAND for the forced command: " + original_command_set.reason;
        answer(std::move(reply_to), answered, failed);
        return;
    }
    ChannelRequest exec;
    exec.kind = RequestKind::exec;
    exec.name = "exec";
    exec.key = c.policy().forced_command();
    forward(exec, std::move(reply_to), std::move(answered));
}

bool SessionChannel::env_fits(const ChannelRequest& request, Message& reply_to, const Answered& answered) {
    const auto verdict_of = env_budget_.take(request.key.size(), request.value.size());
    if (verdict_of == EnvBudget::Verdict::fits) return true;
    const auto& limits = connection_.policy().limits();
    PolicyVerdict verdict;
    verdict.action = PolicyVerdict::Action::refuse;
    verdict.code = codes::SECURITY_ENV_LIMIT;
    verdict.item_field = "env";
    verdict.item = request.key;  // the name only: a value may be a secret
    verdict.reason = verdict_of == EnvBudget::Verdict::too_many
                         ? "the session already set security.env.maxVariables (" +
                               std::to_string(limits.env_max_variables) + ") variables"
                         : "the variable would take the session past security.env.maxBytes (" +
                               std::to_string(limits.env_max_bytes) + " bytes of names and values)";
    if (!std::exchange(env_limit_logged_, true)) {
        refuse(std::move(reply_to), answered, verdict);
        return false;
    }
    // A client past its budget may send thousands more: one SECURITY_ENV_LIMIT
    // line per session, then only the request's own failure.
    connection_.context().metrics.security_refused(verdict.code);
    StatusAnswer refused;
    refused.status = CSH_FAILED;
    refused.reason = verdict.reason;
    answer(std::move(reply_to), answered, refused);
    return false;
}

void SessionChannel::set_connection_env(ChannelRequest request, Message reply_to, Answered answered) {
    connection_env_sent_ = true;
    auto& c = connection_;
    const auto& backend = c.context().plugins.backend;
    if (backend.api->session_env == nullptr || backend_ == nullptr) {
        forward(request, std::move(reply_to), std::move(answered));
        return;
    }
    // SSH_CLIENT, then SSH_CONNECTION, then the request: one at a time, as
    // every request reaches a backend. The client's message (and with it
    // the connection's queue) is held until the program's own answer.
    struct Step {
        static void send(SessionChannel& channel, std::size_t index, ChannelRequest request, Message reply_to,
                         Answered answered) {
            const auto& env = channel.connection_.client_env();
            static constexpr std::string_view kNames[] = {"SSH_CLIENT", "SSH_CONNECTION"};
            if (index == 2 || channel.backend_ == nullptr || channel.finished_) {
                channel.forward(request, std::move(reply_to), std::move(answered));
                return;
            }
            const std::string& value = index == 0 ? env.ssh_client : env.ssh_connection;
            auto& c = channel.connection_;
            const auto& backend = c.context().plugins.backend;
            auto done = status_completion(
                c, {backend.id, "env", AtConnectionEnd::drop_and_report},
                [index, request = std::move(request), reply_to = std::move(reply_to), channel_id = channel.id_,
                 answered = std::move(answered)](Connection& conn, StatusAnswer answer) mutable {
                    auto* ch = conn.find_channel(channel_id);
                    if (conn.closing() || ch == nullptr) {
                        reply_to.discard();
                        return;
                    }
                    if (answer.status != CSH_OK) {
                        conn.log(codes::SSH_CONNECTION_ENV_FAILED, answer.reason,
                                 {{"channelId", std::to_string(channel_id)},
                                  {"env", std::string(kNames[index])},
                                  {"reason", answer.reason}});
                    }
                    send(*ch, index + 1, std::move(request), std::move(reply_to), std::move(answered));
                });
            backend.api->session_env(channel.backend_, {kNames[index].data(), kNames[index].size()},
                                     {value.data(), value.size()}, done);
        }
    };
    Step::send(*this, 0, std::move(request), std::move(reply_to), std::move(answered));
}

bool SessionChannel::tell_user(const std::string& line) {
    if (channel_ == nullptr || remote_closed_ || finished_ || ssh_channel_window_size(channel_) == 0) return false;
    const std::string text = line + (terminal_ ? "\r\n" : "\n");
    // Best effort: the refusal itself reaches the client as the failed request.
    return ssh_channel_write_stderr(channel_, text.data(), static_cast<uint32_t>(text.size())) > 0;
}

}  // namespace csh::ssh
