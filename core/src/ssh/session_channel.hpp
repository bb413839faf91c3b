// One "session" channel: forwards requests to the backend plugin, moves
// stdin and output with back-pressure both ways, and ends the channel with
// exit-status (or exit-signal), EOF and close, in that order.
//
// libssh callbacks only record what happened (or hand data over); anything
// that may end the channel runs later in service(), outside libssh's own
// call stack.
#pragma once

#include "ssh/channel_flow.hpp"
#include "ssh/channel_request.hpp"
#include "ssh/env_budget.hpp"
#include "ssh/message.hpp"

#include <containerssh/plugin.h>

#include <libssh/callbacks.h>
#include <libssh/libssh.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

// The ABI's opaque host-side session handle.
struct csh_session_host {};

namespace csh::log {
class Logger;
}

namespace csh::ssh {

class Connection;
struct PolicyVerdict;
struct StatusAnswer;

class SessionChannel : public csh_session_host {
public:
    SessionChannel(Connection& connection, uint64_t id);
    ~SessionChannel();
    SessionChannel(const SessionChannel&) = delete;
    SessionChannel& operator=(const SessionChannel&) = delete;

    uint64_t id() const { return id_; }
    ssh_channel channel() const { return channel_; }
    const csh_session_params& params() const { return params_; }
    // What the backend said when it refused the channel (refuse_open).
    struct Refusal {
        std::string reason;
        std::string user_message;
    };
    const std::optional<Refusal>& refusal() const { return refusal_; }
    // Binds the accepted libssh channel and the backend's session.
    void attach(ssh_channel channel, csh_backend_session* backend);

    // A channel request taken from libssh's queue; answered when the backend completes.
    void handle_request(Message message);
    // The seam every request of the channel passes: logged, audited, then
    // given to the backend. `reply_to` is the message to answer (it holds
    // the connection's queue until then), or empty for a signal.
    void submit(ChannelRequest request, Message reply_to);
    // Housekeeping after each pump; returns true when the channel is over.
    bool service();
    // True when the backend waits for output room that has appeared since
    // service() last looked: libssh reads a window adjustment inside many of
    // its calls, and none of them tells us.
    bool output_room_unannounced() const;
    // The connection is going away: tell the backend and drop the channel.
    void connection_closing();
    // One line on the channel's stderr, for a human waiting for a program;
    // false when it could not be written.
    bool tell_user(const std::string& line);

private:
    static int on_data(ssh_session, ssh_channel, void* data, uint32_t len, int is_stderr, void* self);
    static void on_eof(ssh_session, ssh_channel, void* self);
    static void on_close(ssh_session, ssh_channel, void* self);
    static void on_signal(ssh_session, ssh_channel, const char* signal, void* self);
    static void on_auth_agent_req(ssh_session, ssh_channel, void* self);

    static log::Logger* logger_of(csh_session_host* host);
    static size_t api_write_output(csh_session_host* host, csh_stream stream, csh_bytes data);
    static void api_stdin_ready(csh_session_host* host);
    static void api_exit_status(csh_session_host* host, uint32_t status);
    static void api_exit_signal(csh_session_host* host, csh_str signal, int core_dumped, csh_str message);
    static void api_finished(csh_session_host* host);
    static void api_refuse_open(csh_session_host* host, csh_str reason, csh_str user_message);

    void call_backend(const ChannelRequest& request, csh_status_completion done);
    void audit_request(const ChannelRequest& request, uint64_t request_id);
    // What answer() needs of a request once the backend has decided.
    struct Answered {
        uint64_t id;
        RequestKind kind;
        std::string name;
        std::string signal;  // signals only: named in the failure line
    };
    // The request passed the policy: the backend decides (answer() follows).
    void forward(const ChannelRequest& request, Message reply_to, Answered answered);
    // The policy refused it: logged with its SECURITY_* code, then answered
    // like a backend's refusal (session_security.cpp).
    void refuse(Message reply_to, const Answered& request, const PolicyVerdict& verdict);
    // security.forceCommand: SSH_ORIGINAL_COMMAND first (unless a shell was
    // asked for), then the forced command instead of what was asked.
    void force_command(Message reply_to, Answered answered, const PolicyVerdict& verdict);
    void run_forced_command(Message reply_to, Answered answered, const StatusAnswer& original_command_set);
    // security.env.maxVariables / maxBytes: false (and the request refused)
    // when an env request does not fit the session's budget.
    bool env_fits(const ChannelRequest& request, Message& reply_to, const Answered& answered);
    // SSH_CLIENT and SSH_CONNECTION, once, before the first program starts.
    void set_connection_env(ChannelRequest request, Message reply_to, Answered answered);
    // ssh -A, once, before the first program starts: the policy decides, the
    // backend listens (session_agent.cpp); the program request waits for it.
    void set_up_agent_forwarding(ChannelRequest request, Message reply_to, Answered answered);
    // x11-req: the backend listens on a display; answered once it does.
    void set_up_x11_forwarding(ChannelRequest request, Message reply_to, Answered answered);
    struct Held;
    void answer(Message reply_to, const Answered& request, const StatusAnswer& answer);
    size_t offer_stdin(const char* data, size_t size);
    void deliver_eof_when_drained();
    void send_exit_and_close();
    void release_channel();
    void audit_io(uint64_t stream, const char* data, size_t size);
    void note_first_output();

    Connection& connection_;
    uint64_t id_;
    ssh_channel channel_ = nullptr;
    csh_backend_session* backend_ = nullptr;
    ssh_channel_callbacks_struct callbacks_{};
    csh_session_params params_{};

    ChannelInput stdin_;
    ChannelOutput output_;
    bool remote_closed_ = false;
    bool finished_ = false;
    bool terminal_ = false;  // a pty-req succeeded: lines to the user end in CR LF
    // When the program was requested, until its first byte of output is
    // timed (login metrics); nullopt before the request and after.
    std::optional<std::chrono::steady_clock::time_point> program_requested_at_;
    std::optional<uint32_t> exit_status_;
    struct ExitSignal {
        std::string signal;
        bool core_dumped;
        std::string message;
    };
    std::optional<ExitSignal> exit_signal_;
    std::vector<std::string> pending_signals_;
    // Signals given to the backend and not answered yet (security.maxPendingSignals).
    std::size_t signals_in_flight_ = 0;
    bool signal_limit_logged_ = false;
    EnvBudget env_budget_;
    bool env_limit_logged_ = false;
    bool connection_env_sent_ = false;
    // auth-agent-req arrived (libssh hands it over outside the request
    // queue) and is applied before the next program starts.
    bool agent_requested_ = false;
    bool agent_settled_ = false;
    bool x11_requested_ = false;
    std::optional<Refusal> refusal_;
};

}  // namespace csh::ssh
