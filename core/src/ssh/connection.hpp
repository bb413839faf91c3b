// One SSH connection: a non-blocking libssh session pumped on its own strand.
//
// Life of a connection (each step logs a code and records an audit event):
//   key exchange -> authentication (auth plugins, async) -> authorization
//   -> per-connection configuration (config plugin) -> backend connection
//   -> session channels -> disconnect -> backend cleanup -> audit close.
//
// libssh only ever runs on this strand. Requests that need a plugin keep the
// libssh message (ssh/message.hpp) and answer it when the plugin completes;
// until then no further message is taken from libssh's queue, so requests
// are answered in order while channel data keeps flowing. Authentication is
// its own object (ssh/authenticator.hpp); this class keeps the transport and
// the connection's lifecycle.
#pragma once

#include "host/connection_handle.hpp"
#include "host/event_loop.hpp"
#include "ssh/audit_streams.hpp"
#include "ssh/authenticator.hpp"
#include "ssh/client_env.hpp"
#include "ssh/connection_origin.hpp"
#include "ssh/deadlines.hpp"
#include "ssh/forward_listener.hpp"
#include "ssh/global_replies.hpp"
#include "ssh/message.hpp"
#include "ssh/metadata.hpp"
#include "ssh/pending_completion.hpp"
#include "ssh/server_context.hpp"
#include "ssh/startup_gate.hpp"

#include "security/policy.hpp"

#include <boost/asio/post.hpp>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <libssh/libssh.h>
#include <libssh/server.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace csh::ssh {

class SessionChannel;
class ForwardChannel;
class ForwardListener;
struct ForwardOpenAnswer;
struct ListenAnswer;

class Connection : public csh_connection, public std::enable_shared_from_this<Connection> {
public:
    // Takes ownership of `session` (bound to the accepted socket) and of
    // `watch_fd`, a duplicate of the socket's fd that Asio waits on. libssh
    // closes its own fd as soon as the peer goes away; watching a separate
    // duplicate means the fd number Asio knows can never be reused by another
    // connection before this one is finished with it.
    // `startup` counts the connection among the unauthenticated ones
    // (ssh.maxStartups) until it authenticates or ends.
    Connection(ServerContext& context, ssh_session session, int watch_fd, ConnectionOrigin origin,
               StartupSlot startup);
    ~Connection() override;

    // Starts the key exchange on the connection's strand.
    void start();
    // Server shutdown: closes the connection, letting the backend clean up.
    void shutdown();

    const std::string& id() const { return id_; }
    csh_strand* strand() { return &strand_; }
    ServerContext& context() { return context_; }
    ssh_session session() { return session_; }
    AuditStreams* audit() { return audit_.get(); }
    uint64_t next_request_id() { return next_request_id_++; }
    bool closing() const { return state_ == State::closing || state_ == State::closed; }
    const csh_connection_info& info();
    csh_backend_connection* backend_connection() { return backend_connection_; }
    // The security policy of this connection's effective configuration:
    // the file's until the configuration server has answered.
    const security::Policy& policy() const { return *policy_; }

    // Log with this connection's labels.
    void log(const char* code, std::string_view message,
             std::initializer_list<std::pair<std::string_view, std::string_view>> fields = {});

    // Runs `fn(Connection&)` on this connection's strand, keeping the
    // connection alive; `fn` may be move-only.
    template <typename Fn>
    void post(Fn fn) {
        boost::asio::post(strand_.executor, [self = shared_from_this(), fn = std::move(fn)]() mutable {
            fn(*self);
            // The task may have driven libssh (a reply, a write), which reads
            // whatever packets have arrived: a pump handles what they changed.
            self->wake();
        });
    }
    // Runs `fn(Connection&)` on this connection's strand once `delay` has
    // passed, keeping the connection alive until then; `fn` may be move-only.
    template <typename Fn>
    void post_after(std::chrono::steady_clock::duration delay, Fn fn) {
        auto timer = std::make_shared<boost::asio::steady_timer>(strand_.executor, delay);
        timer->async_wait([self = shared_from_this(), timer, fn = std::move(fn)](const boost::system::error_code&) mutable {
            fn(*self);
            self->wake();
        });
    }
    // Schedules a pump: IO, queued messages and channel housekeeping.
    void wake();
    // True while the connection reads nothing more from the client: a
    // request waits for its plugin and the client has sent more than
    // kMaxReadWhileHeld since (see pump()). Channels do not drain stdin then.
    bool reading_paused() const { return reading_paused_; }

    Authenticator& authenticator() { return authenticator_; }
    // The completions handed to plugins and not answered yet (completions.hpp).
    OutstandingCompletions& outstanding() { return outstanding_; }
    // The authenticator has accepted the client: configuration and backend follow.
    void authenticated();

    // csh_connection
    void append_log_fields(std::vector<csh_field>& out) const override;
    void emit_audit(const csh_audit_event& event) override;

    // Login timing (see SshMetrics): an auth plugin answered after `waited`;
    // a program of this connection sent its first byte.
    void note_auth_wait(std::chrono::steady_clock::duration waited) { auth_wait_ += waited; }
    void note_first_output();

    // SSH_CLIENT and SSH_CONNECTION for this connection's sessions.
    const ClientEnv& client_env() const { return client_env_; }
    // Session traffic either way (client data, program output, channel
    // opens and requests): restarts ssh.idleTimeout. Keepalives are not traffic.
    void note_traffic() { deadline_state_.last_traffic = Clock::now(); }

    // Closes the connection with a reason for the log.
    void close(const char* code, std::string reason);

private:
    enum class State { handshake, authenticating, preparing, ready, closing, closed };

    void pump();
    void arm_waits();
    void process_messages();
    void dispatch(Message message);
    void after_key_exchange();
    // ssh.proxyProtocolAllowedCIDRs on and the peer outside it: true (and
    // the connection closing) when its first bytes begin a PROXY protocol
    // header. Called before libssh reads anything; stops looking once the
    // peer's first byte has been seen.
    bool refused_proxy_header();

    // After authentication (connection_prepare.cpp).
    void prepare();
    void open_backend(std::string config_json);

    // Channels.
    void open_channel(Message message);
    // A direct-tcpip open (connection_forward.cpp): policy, backend, answer.
    void open_forward(Message message, uint64_t channel_id);
    void forward_opened(const std::shared_ptr<ForwardChannel>& forward, ForwardOpenAnswer answer);
    // Session and forwarding channels, for security.maxChannels.
    std::size_t channels_open() const { return channels_.size() + forwards_.size(); }
    // When security.maxChannels channels are open: refuses through `reject`
    // (code, reason), counts the refusal and returns true.
    bool at_max_channels(const std::function<void(const char* code, const std::string& reason)>& reject);
    // Remote forwards (connection_listen.cpp): tcpip-forward and its cancel,
    // the backend's answer, and the channels its listeners open to the client.
    void listen(Message message);
    void cancel_listen(Message message);
    void listening(const std::shared_ptr<ForwardListener>& listener, GlobalReplies::Ticket ticket, ListenAnswer answer);
    // A listener the backend started that will not be used (nobody is told).
    void stop_unused(csh_backend_listener* listener);
    void open_to_client(ForwardListener& listener, const csh_forward_channel_params& params,
                        csh_backend_forward* channel, csh_forward_open_completion done);
    // A server-opened channel was accepted (`refusal` empty) or refused by the client.
    void reverse_forward_answered(const ForwardChannel& forward, std::string_view refusal);
    // ssh -A (kind AGENT) or ssh -X (kind X11, with `x11`) for session
    // channel `channel_id` (whose backend side is `session`): the backend
    // listens for the session's program; `then` runs once it answered, with
    // whether it listens (connection_listen.cpp).
    using SessionListened = std::function<void(Connection&, bool listening)>;
    void listen_for_session(csh_forward_kind kind, uint64_t channel_id, csh_backend_session* session,
                            X11Request x11, SessionListened then);
    void session_listening(const std::shared_ptr<ForwardListener>& listener, ListenAnswer answer,
                           const SessionListened& then);
    // A listener's answer: where it is in listeners_, or end() (after
    // stopping a listener that started) when nothing waits for it any more.
    std::vector<std::shared_ptr<ForwardListener>>::iterator find_waited_for(
        const std::shared_ptr<ForwardListener>& listener, const ListenAnswer& answer);
    // The session's end: listen_stop for its agent listener.
    void stop_session_listeners(uint64_t channel_id);
    // At the connection's end: listen_stop for every listener, then `then`.
    void stop_listeners(std::function<void(Connection&)> then);
    // The backend's connection_close, then finish_close.
    void close_backend();
    void channel_request(Message message);
    void global_request(Message message);
    void service_channels();
    // A channel's backend waits for output room that libssh has since seen.
    bool output_room_unannounced() const;
    void discard_unread_input();
    void finish_close();
    // The connection is over: completions still pending are dropped, and
    // those a plugin owed by now are logged as its misbehaviour.
    void drop_outstanding_completions();

    // Timers.
    void start_login_grace();
    void start_keepalive();
    void on_keepalive();
    // ssh.idleTimeout and ssh.maxSessionDuration, from the login on.
    void start_deadlines();
    void on_deadline();
    // One line on the stderr of every open session (a terminal gets CR LF).
    void tell_sessions(const std::string& line);
    // The last words of a connection the server ends (see connection.cpp).
    void say_goodbye(const std::string& line);

    ServerContext& context_;
    csh_strand strand_;
    ssh_session session_;
    ssh_event event_ = nullptr;
    boost::asio::posix::stream_descriptor socket_;
    boost::asio::steady_timer grace_timer_;
    boost::asio::steady_timer keepalive_timer_;
    boost::asio::steady_timer deadline_timer_;
    // This connection's ssh.idleTimeout, ssh.maxSessionDuration and
    // ssh.timeoutWarning: the file's, or the configuration server's answer for the user.
    DeadlineSettings deadlines_;
    DeadlineState deadline_state_;
    StartupSlot startup_;
    std::string id_;
    std::string remote_address_;
    std::string remote_ip_;
    // The proxy that sent a PROXY protocol header, and the header (empty if none).
    std::string proxy_address_;
    std::string proxy_header_;
    bool check_proxy_header_ = false;
    ClientEnv client_env_;
    // GeoIP country of the client (geoip section; XX when unknown).
    std::string country_;
    // Login timing, for SshMetrics.
    std::chrono::steady_clock::time_point accepted_at_ = std::chrono::steady_clock::now();
    std::chrono::steady_clock::duration auth_wait_{};
    std::chrono::steady_clock::duration authenticated_after_{};
    bool counted_open_ = false;
    bool first_output_seen_ = false;
    std::string client_version_;
    Identity identity_;
    csh_connection_info info_{};
    std::unique_ptr<AuditStreams> audit_;
    State state_ = State::handshake;
    // Messages are taken only while no earlier one waits for its answer.
    std::shared_ptr<MessageQueue> queue_;
    Authenticator authenticator_{*this, identity_};
    OutstandingCompletions outstanding_;
    // Payload bytes received (libssh counts them, after decompression), and
    // the count when the current request began to wait; see pump().
    ssh_counter_struct payload_counter_{};
    std::optional<uint64_t> held_from_bytes_;
    bool reading_paused_ = false;
    void update_read_pause();
    bool read_armed_ = false;
    bool write_armed_ = false;
    bool pump_posted_ = false;
    bool activity_ = false;
    int missed_keepalives_ = 0;
    uint64_t next_request_id_ = 0;
    uint64_t next_channel_id_ = 0;
    std::string close_reason_;
    csh_backend_connection* backend_connection_ = nullptr;
    // Shared with every connection that has the file's configuration.
    std::shared_ptr<const security::Policy> policy_;
    // Open session channels by channel number.
    std::map<uint64_t, std::unique_ptr<SessionChannel>> channels_;
    SessionChannel* find_channel(uint64_t id);
    // Forwarding channels by channel number, from the open until their end;
    // shared with the backend's pending forward_open completion.
    std::map<uint64_t, std::shared_ptr<ForwardChannel>> forwards_;
    // Global requests not answered yet, in order.
    GlobalReplies global_replies_;
    // Remote forwards, from the request until cancelled or the connection's
    // end; found by the address and port the client names (find_listener).
    std::vector<std::shared_ptr<ForwardListener>> listeners_;
    std::vector<std::shared_ptr<ForwardListener>>::iterator find_listener(const std::string& address, uint32_t port);
    friend class SessionChannel;
    friend class ForwardChannel;
    friend class ForwardListener;
};

}  // namespace csh::ssh
