// One SSH connection: a non-blocking libssh session pumped on its own strand.
//
// Life of a connection (each step logs a code and records an audit event):
//   key exchange -> authentication (auth plugins, async) -> authorization
//   -> per-connection configuration (config plugin) -> backend connection
//   -> session channels -> disconnect -> backend cleanup -> audit close.
//
// libssh only ever runs on this strand. Requests that need a plugin keep the
// libssh message and answer it when the plugin completes; until then no
// further message is taken from libssh's queue, so requests are answered in
// order while channel data keeps flowing.
#pragma once

#include "host/connection_handle.hpp"
#include "host/event_loop.hpp"
#include "ssh/audit_streams.hpp"
#include "ssh/metadata.hpp"
#include "ssh/server_context.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <libssh/libssh.h>
#include <libssh/server.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace csh::ssh {

class SessionChannel;
struct AuthAnswer;

class Connection : public csh_connection, public std::enable_shared_from_this<Connection> {
public:
    // Takes ownership of `session` (bound to the accepted socket) and of
    // `watch_fd`, a duplicate of the socket's fd that Asio waits on. libssh
    // closes its own fd as soon as the peer goes away; watching a separate
    // duplicate means the fd number Asio knows can never be reused by another
    // connection before this one is finished with it.
    Connection(ServerContext& context, ssh_session session, int watch_fd, std::string remote_address);
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

    // Log with this connection's labels.
    void log(const char* code, std::string_view message,
             std::initializer_list<std::pair<std::string_view, std::string_view>> fields = {});

    // Runs `fn` on this connection's strand, keeping the connection alive.
    void post(std::function<void(Connection&)> fn);
    // Schedules a pump: IO, queued messages and channel housekeeping.
    void wake();

    // Request handling that needs a plugin: stop taking messages until done.
    void begin_busy() { busy_ = true; }
    void end_busy();

    // csh_connection
    void append_log_fields(std::vector<csh_field>& out) const override;
    void emit_audit(const csh_audit_event& event) override;

    // Login timing (see SshMetrics): an auth plugin answered after `waited`;
    // a program of this connection sent its first byte.
    void note_auth_wait(std::chrono::steady_clock::duration waited) { auth_wait_ += waited; }
    void note_first_output();

    // Closes the connection with a reason for the log.
    void close(const char* code, std::string reason);

private:
    enum class State { handshake, authenticating, preparing, ready, closing, closed };

    void pump();
    void arm_waits();
    void process_messages();
    void dispatch(ssh_message message);
    void after_key_exchange();

    // Authentication (connection_auth.cpp).
    void handle_auth(ssh_message message);
    void auth_password(ssh_message message, const std::string& user);
    void auth_public_key(ssh_message message, const std::string& user);
    void auth_keyboard_interactive(ssh_message message, const std::string& user);
    // An auth plugin's answer: on success, authorization follows.
    void auth_answered(ssh_message message, const char* method, const AuthAnswer& answer);
    void authorize(ssh_message message, const char* method, size_t plugin_index);
    void auth_refused(ssh_message message, const char* method, bool unavailable, const std::string& reason);
    void send_banner_once();

    // After authentication (connection_prepare.cpp).
    void prepare();
    void open_backend(std::string config_json);

    // Channels.
    void open_channel(ssh_message message);
    void channel_request(ssh_message message);
    void global_request(ssh_message message);
    void service_channels();
    // A channel's backend waits for output room that libssh has since seen.
    bool output_room_unannounced() const;
    void discard_unread_input();
    void finish_close();

    // Timers.
    void start_login_grace();
    void start_keepalive();
    void on_keepalive();

    ServerContext& context_;
    csh_strand strand_;
    ssh_session session_;
    ssh_event event_ = nullptr;
    boost::asio::posix::stream_descriptor socket_;
    boost::asio::steady_timer grace_timer_;
    boost::asio::steady_timer keepalive_timer_;
    std::string id_;
    std::string remote_address_;
    std::string remote_ip_;
    // GeoIP country of the client (geoip section; XX when unknown).
    std::string country_;
    // Login timing, for SshMetrics.
    std::chrono::steady_clock::time_point accepted_at_ = std::chrono::steady_clock::now();
    std::chrono::steady_clock::duration auth_wait_{};
    std::chrono::steady_clock::duration authenticated_after_{};
    bool counted_open_ = false;
    bool first_output_seen_ = false;
    std::string client_version_;
    std::string username_;
    std::string authenticated_username_;
    Metadata metadata_;
    csh_connection_info info_{};
    std::unique_ptr<AuditStreams> audit_;
    State state_ = State::handshake;
    bool busy_ = false;
    bool read_armed_ = false;
    bool write_armed_ = false;
    bool pump_posted_ = false;
    bool banner_sent_ = false;
    bool activity_ = false;
    int missed_keepalives_ = 0;
    int failed_auth_attempts_ = 0;
    uint64_t next_request_id_ = 0;
    uint64_t next_channel_id_ = 0;
    std::string close_reason_;
    // Keys the auth plugin accepted in the query phase, with their result.
    std::map<std::string, std::pair<std::string, Metadata>> approved_keys_;
    // Keyboard-interactive exchange in progress: what to do with the client's
    // answers, and how to tell the plugin the client left without answering.
    std::function<void(ssh_message)> kbdint_answer_;
    std::function<void()> kbdint_abandon_;
    csh_backend_connection* backend_connection_ = nullptr;
    // Open session channels by channel number.
    std::map<uint64_t, std::unique_ptr<SessionChannel>> channels_;
    SessionChannel* find_channel(uint64_t id);
    friend class SessionChannel;
};

}  // namespace csh::ssh
