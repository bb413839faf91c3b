#include "ssh/connection.hpp"

#include "config/config.hpp"
#include "log/codes.hpp"
#include "log/logger.hpp"
#include "geoip/country_lookup.hpp"
#include "ssh/completions.hpp"
#include "ssh/connection_id.hpp"
#include "ssh/forward_channel.hpp"
#include "ssh/libssh_messages.hpp"
#include "ssh/proxy_protocol.hpp"
#include "ssh/session_channel.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace asio = boost::asio;

namespace csh::ssh {

namespace {
// How many poll rounds one pump may run before yielding the thread; keeps a
// fast client from starving the other connections of the same thread.
constexpr int kPumpRounds = 32;
// What a client may send while one of its requests waits for a plugin.
// libssh parses every packet it reads into its own message list, which has
// no public size or hook: a client pipelining requests behind one the
// backend is slow to answer (or never answers) would grow it without bound.
// Past this many bytes the connection stops reading until the request is
// answered, and TCP holds the client back. Stdin pays too (it counts here
// and pauses with the rest), but only while a request waits.
constexpr uint64_t kMaxReadWhileHeld = 4u << 20;

std::string ip_of(const std::string& address) {
    if (!address.empty() && address.front() == '[') return address.substr(1, address.find(']') - 1);
    return address.substr(0, address.rfind(':'));
}
}  // namespace

Connection::Connection(ServerContext& context, ssh_session session, int fd, ConnectionOrigin origin,
                       StartupSlot startup)
    : context_(context),
      strand_(context.loop.context()),
      session_(session),
      socket_(context.loop.context(), fd),  // a duplicate of libssh's fd, see connection.hpp
      grace_timer_(context.loop.context()),
      keepalive_timer_(context.loop.context()),
      deadline_timer_(context.loop.context()),
      startup_(std::move(startup)),
      id_(new_connection_id()),
      remote_address_(std::move(origin.remote_address)),
      remote_ip_(ip_of(remote_address_)),
      proxy_address_(std::move(origin.proxy_address)),
      proxy_header_(std::move(origin.proxy_header)),
      check_proxy_header_(origin.refuse_proxy_header),
      client_env_(ssh::client_env(remote_address_, origin.local_address)),
      country_(context.geoip.country(remote_ip_)),
      // The queue reopens from inside a reply; the pump comes after it. A
      // message dropped while the connection is destroyed wakes nothing.
      queue_(MessageQueue::create([this] {
          if (auto self = weak_from_this().lock()) self->wake();
      })),
      policy_(context.file_policy) {}

Connection::~Connection() {
    // Members (a held message among them) go after the session below.
    queue_->stop_replies();
    // finish_close() normally released everything; this covers a connection
    // destroyed before it started (server shutting down during accept).
    if (event_ != nullptr) {
        ssh_event_remove_session(event_, session_);
        ssh_event_free(event_);
    }
    if (session_ != nullptr) ssh_free(session_);
}

const csh_connection_info& Connection::info() {
    info_.struct_size = sizeof info_;
    info_.connection_id = {id_.data(), id_.size()};
    info_.remote_address = {remote_address_.data(), remote_address_.size()};
    info_.client_version = {client_version_.data(), client_version_.size()};
    info_.username = {identity_.username.data(), identity_.username.size()};
    info_.authenticated_username = {identity_.authenticated_username.data(), identity_.authenticated_username.size()};
    info_.metadata = identity_.metadata.view();
    info_.strand = &strand_;
    info_.connection = this;
    info_.country = {country_.data(), country_.size()};
    return info_;
}

void Connection::log(const char* code, std::string_view message,
                     std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
    if (!context_.logger.enabled(code)) return;  // most per-request lines are debug
    std::vector<csh_field> all;
    append_log_fields(all);
    for (const auto& [k, v] : fields) all.push_back({{k.data(), k.size()}, {v.data(), v.size()}});
    context_.logger.log(code, message, all.data(), all.size());
}

void Connection::append_log_fields(std::vector<csh_field>& out) const {
    out.push_back({{"connectionId", 12}, {id_.data(), id_.size()}});
    out.push_back({{"remoteAddr", 10}, {remote_ip_.data(), remote_ip_.size()}});
    const auto& user = identity_.username;
    const auto& authenticated = identity_.authenticated_username;
    if (!user.empty()) out.push_back({{"username", 8}, {user.data(), user.size()}});
    if (!authenticated.empty() && authenticated != user) {
        out.push_back({{"authenticatedUsername", 21}, {authenticated.data(), authenticated.size()}});
    }
}

void Connection::emit_audit(const csh_audit_event& event) {
    if (audit_) audit_->emit(event);
}

void Connection::wake() {
    if (pump_posted_ || state_ == State::closed) return;
    pump_posted_ = true;
    asio::post(strand_.executor, [self = shared_from_this()] {
        self->pump_posted_ = false;
        self->pump();
    });
}

void Connection::note_first_output() {
    if (first_output_seen_) return;
    first_output_seen_ = true;
    context_.metrics.first_output(std::chrono::steady_clock::now() - accepted_at_);
}

void Connection::start() {
    post([](Connection& c) {
        ssh_set_blocking(c.session_, 0);
        int methods = 0;
        if (c.context_.plugins.auth_for(CSH_AUTH_METHOD_PASSWORD)) methods |= SSH_AUTH_METHOD_PASSWORD;
        if (c.context_.plugins.auth_for(CSH_AUTH_METHOD_PUBLIC_KEY)) methods |= SSH_AUTH_METHOD_PUBLICKEY;
        if (c.context_.plugins.auth_for(CSH_AUTH_METHOD_KEYBOARD_INTERACTIVE)) {
            methods |= SSH_AUTH_METHOD_INTERACTIVE;
        }
        ssh_set_auth_methods(c.session_, methods);

        c.context_.metrics.connection_opened(c.country_);
        c.counted_open_ = true;
        c.audit_ = std::make_unique<AuditStreams>(c.context_.plugins, c.info());
        c.audit_->emit(CSH_AUDIT_CONNECT, CSH_AUDIT_NO_CHANNEL,
                       {audit_field::text("remoteAddr", c.remote_address_), audit_field::text("country", c.country_)});
        c.log(codes::SSH_CONNECTED, "");
        if (!c.proxy_header_.empty()) {
            c.log(codes::SSH_PROXY_PROTOCOL_ACCEPTED, "", {{"proxyAddress", c.proxy_address_}, {"header", c.proxy_header_}});
        }
        if (c.audit_->refused()) {
            c.close(codes::CORE_AUDIT_UNAVAILABLE, "the connection cannot be recorded");
            return;
        }
        if (c.refused_proxy_header()) return;

        // The payload after decompression: with zlib@openssh.com, 1.5 MB on
        // the wire carried 64 MB of requests.
        ssh_set_counters(c.session_, nullptr, &c.payload_counter_);
        c.event_ = ssh_event_new();
        if (c.event_ == nullptr || ssh_handle_key_exchange(c.session_) == SSH_ERROR ||
            ssh_event_add_session(c.event_, c.session_) != SSH_OK) {
            c.close(codes::SSH_HANDSHAKE_FAILED, msg::str_or_empty(ssh_get_error(c.session_)));
            return;
        }
        c.start_login_grace();
        c.pump();
    });
}

void Connection::shutdown() {
    post([](Connection& c) {
        if (!c.closing()) c.close(codes::SERVICE_STOPPING, "server shutting down");
    });
}

// Runs libssh until the socket has nothing more to read, then handles what
// arrived. Called on the strand only.
void Connection::pump() {
    if (state_ == State::closed || event_ == nullptr) return;
    if (state_ == State::handshake && refused_proxy_header()) {
        if (state_ == State::closing) arm_waits();
        return;
    }
    if (state_ != State::ready) {
        // During the login, acknowledge at once. A client with Nagle's
        // algorithm on (OpenSSH's is, until a session starts) holds its next
        // small packet until our ACK, and a delayed ACK costs 40 ms. Linux
        // leaves quick-ACK mode by itself, so it is asked for on every pump.
        const int one = 1;
        setsockopt(socket_.native_handle(), IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
    }
    update_read_pause();
    // Paused, libssh is polled only to flush what it has to send; each poll
    // reads at most one socket buffer more.
    const bool flush_only = reading_paused_ && (ssh_get_poll_flags(session_) & SSH_WRITE_PENDING) != 0;
    const int rounds = !reading_paused_ ? kPumpRounds : flush_only ? 1 : 0;
    for (int round = 0; round < rounds; ++round) {
        const int rc = ssh_event_dopoll(event_, 0);
        if (rc == SSH_ERROR) break;
        if (rc == SSH_AGAIN) break;
        update_read_pause();  // one socket read can inflate to megabytes
        if (reading_paused_) break;
        if (round == kPumpRounds - 1) wake();  // more to do: yield, come back
    }
    if (state_ == State::closing || state_ == State::closed) {
        if (state_ == State::closing) arm_waits();
        return;
    }
    if (state_ == State::handshake) {
        const int rc = ssh_handle_key_exchange(session_);
        if (rc == SSH_OK) {
            after_key_exchange();
        } else if (rc == SSH_ERROR) {
            close(codes::SSH_HANDSHAKE_FAILED, msg::str_or_empty(ssh_get_error(session_)));
            return;
        }
    }
    if (state_ != State::handshake) process_messages();
    if (closing()) return;
    service_channels();
    if (closing()) return;
    // Draining stdin may have made libssh read requests; take them now.
    if (state_ != State::handshake) process_messages();
    if (closing()) return;
    const int status = ssh_get_status(session_);
    if ((status & (SSH_CLOSED | SSH_CLOSED_ERROR)) != 0 || !ssh_is_connected(session_)) {
        // A client that said goodbye is not an error, whatever libssh noticed afterwards.
        const bool failed = (status & SSH_CLOSED_ERROR) != 0;
        std::string error = failed ? msg::str_or_empty(ssh_get_error(session_))
                                   : msg::str_or_empty(ssh_get_disconnect_message(session_));
        if (state_ == State::authenticating || state_ == State::handshake) {
            close(codes::SSH_HANDSHAKE_FAILED, error.empty() ? "client disconnected before authenticating" : error);
        } else {
            close(nullptr, error.empty() ? "client disconnected" : error);  // finish_close logs it
        }
        return;
    }
    // ssh_message_get above reads packets too: a window adjustment read there
    // came after the channels were serviced, and the client now waits for us.
    if (output_room_unannounced()) wake();
    arm_waits();
}

void Connection::update_read_pause() {
    // Only once the connection serves sessions: during the login a held
    // message may wait for the client's own next message (keyboard-interactive).
    if (state_ != State::ready || !queue_->held()) {
        held_from_bytes_.reset();
        reading_paused_ = false;
        return;
    }
    if (!held_from_bytes_) held_from_bytes_ = payload_counter_.in_bytes;
    const bool pause = payload_counter_.in_bytes - *held_from_bytes_ > kMaxReadWhileHeld;
    if (pause && !reading_paused_) {
        log(codes::SSH_READ_PAUSED,
            "the client sent more than " + std::to_string(kMaxReadWhileHeld >> 20) +
                " MiB while a request waits for the backend; reading resumes once it is answered");
    }
    reading_paused_ = pause;
}

void Connection::arm_waits() {
    if (state_ == State::closed) return;
    update_read_pause();  // what this pump read may have reached the limit
    if (!read_armed_ && !reading_paused_) {
        read_armed_ = true;
        socket_.async_wait(asio::posix::stream_descriptor::wait_read,
                           asio::bind_executor(strand_.executor, [self = shared_from_this()](auto ec) {
                               self->read_armed_ = false;
                               if (ec == asio::error::operation_aborted) return;
                               self->activity_ = true;
                               self->pump();
                           }));
    }
    if (!write_armed_ && session_ != nullptr && (ssh_get_poll_flags(session_) & SSH_WRITE_PENDING) != 0) {
        write_armed_ = true;
        socket_.async_wait(asio::posix::stream_descriptor::wait_write,
                           asio::bind_executor(strand_.executor, [self = shared_from_this()](auto ec) {
                               self->write_armed_ = false;
                               if (ec == asio::error::operation_aborted) return;
                               self->pump();
                           }));
    }
}

// libssh reads the socket only from this strand, in ssh_handle_key_exchange
// and ssh_event_dopoll, each preceded by this look: nothing the peer sent can
// reach libssh unseen. (libssh's own first read comes right after it sends
// the server's version line; bytes arriving in those microseconds are read
// by libssh, which refuses a header as a bad version line,
// SSH_HANDSHAKE_FAILED: refused all the same.)
bool Connection::refused_proxy_header() {
    if (!check_proxy_header_) return false;
    char first[proxy_protocol::kV2FixedLength];
    const ssize_t n = ::recv(socket_.native_handle(), first, sizeof first, MSG_PEEK | MSG_DONTWAIT);
    if (n <= 0) return false;  // nothing yet; or the end, which libssh reports
    check_proxy_header_ = false;
    const auto result = proxy_protocol::parse({first, static_cast<std::size_t>(n)});
    if (result.status == proxy_protocol::Status::not_proxy) return false;
    close(codes::SSH_PROXY_PROTOCOL_UNTRUSTED,
          "the connection begins with a PROXY protocol header but the peer is not in ssh.proxyProtocolAllowedCIDRs");
    return true;
}

void Connection::after_key_exchange() {
    state_ = State::authenticating;
    context_.metrics.phase(LoginPhase::key_exchange, std::chrono::steady_clock::now() - accepted_at_);
    client_version_ = msg::str_or_empty(ssh_get_clientbanner(session_));
}

// While the configuration and the backend are prepared, messages wait in
// libssh's queue: the channels they ask for can only be served once ready.
void Connection::process_messages() {
    while (!queue_->held() && state_ != State::preparing && !closing()) {
        ssh_message message = ssh_message_get(session_);
        if (message == nullptr) break;
        dispatch(Message(message, *queue_));
    }
}

// Each branch owns the message from here; one it does not answer is refused
// by the Message's destructor.
void Connection::dispatch(Message message) {
    switch (message.type()) {
        case SSH_REQUEST_SERVICE:
            message.answer(ssh_message_service_reply_success);
            return;
        case SSH_REQUEST_AUTH:
            if (state_ == State::authenticating) authenticator_.handle(std::move(message));
            return;
        case SSH_REQUEST_CHANNEL_OPEN:
            note_traffic();
            open_channel(std::move(message));
            return;
        case SSH_REQUEST_CHANNEL:
            note_traffic();
            channel_request(std::move(message));
            return;
        case SSH_REQUEST_GLOBAL:
            global_request(std::move(message));
            return;
        default:
            return;
    }
}

void Connection::global_request(Message message) {
    switch (message.subtype()) {
        case SSH_GLOBAL_REQUEST_TCPIP_FORWARD:
            note_traffic();
            listen(std::move(message));
            return;
        case SSH_GLOBAL_REQUEST_CANCEL_TCPIP_FORWARD:
            note_traffic();
            cancel_listen(std::move(message));
            return;
        case SSH_GLOBAL_REQUEST_KEEPALIVE:
            // OpenSSH answers a client's keepalive with a failure and so do we, quietly.
            break;
        default:
            log(codes::SSH_UNSUPPORTED_GLOBAL_REQUEST, "");
            if (audit_) audit_->emit(CSH_AUDIT_GLOBAL_REQUEST_UNKNOWN, CSH_AUDIT_NO_CHANNEL, {});
    }
    global_replies_.refuse(std::move(message));
}

void Connection::authenticated() {
    if (closing()) return;
    state_ = State::preparing;
    authenticated_after_ = std::chrono::steady_clock::now() - accepted_at_;
    context_.metrics.phase(LoginPhase::authentication, auth_wait_);
    grace_timer_.cancel();
    startup_.release();  // no longer counts against ssh.maxStartups
    log(codes::SSH_HANDSHAKE_SUCCESSFUL, "");
    if (audit_) {
        audit_->emit(CSH_AUDIT_HANDSHAKE_SUCCESSFUL, CSH_AUDIT_NO_CHANNEL,
                     {audit_field::text("username", identity_.username)});
    }
    start_keepalive();
    prepare();
}

void Connection::start_login_grace() {
    const auto grace = context_.config.ssh().login_grace_time;
    if (grace.count() <= 0) return;
    grace_timer_.expires_after(grace);
    grace_timer_.async_wait(asio::bind_executor(strand_.executor, [self = shared_from_this()](auto ec) {
        if (ec || self->closing()) return;
        if (self->state_ == State::handshake || self->state_ == State::authenticating) {
            self->close(codes::SSH_LOGIN_GRACE_EXPIRED, "authentication not finished within ssh.loginGraceTime");
        }
    }));
}

void Connection::start_keepalive() {
    const auto interval = context_.config.ssh().client_alive_interval;
    if (interval.count() <= 0) return;
    keepalive_timer_.expires_after(interval);
    keepalive_timer_.async_wait(asio::bind_executor(strand_.executor, [self = shared_from_this()](auto ec) {
        if (!ec && !self->closing()) self->on_keepalive();
    }));
}

// A peer that answers nothing for clientAliveCountMax intervals is gone, even
// when TCP has not noticed (a dead NAT, a suspended laptop).
void Connection::on_keepalive() {
    if (activity_) {
        missed_keepalives_ = 0;
    } else if (++missed_keepalives_ >= context_.config.ssh().client_alive_count_max) {
        close(codes::SSH_KEEPALIVE_NORESP, "no answer to " + std::to_string(missed_keepalives_) + " keepalives");
        return;
    }
    activity_ = false;
    ssh_send_keepalive(session_);
    arm_waits();
    start_keepalive();
}

void Connection::start_deadlines() {
    deadline_state_.ready_at = deadline_state_.last_traffic = Clock::now();
    on_deadline();
}

void Connection::on_deadline() {
    for (;;) {
        if (closing()) return;
        const auto step = next_deadline_step(deadlines_, deadline_state_, Clock::now());
        using Action = DeadlineStep::Action;
        switch (step.action) {
            case Action::none:
                break;
            case Action::warn_idle: {
                deadline_state_.idle_warned_for = deadline_state_.last_traffic;
                const auto in = format_duration(step.remaining);
                log(codes::SSH_IDLE_TIMEOUT_WARNING, "closing in " + in, {{"closingIn", in}});
                tell_sessions("This connection has had no activity and will be closed in " + in +
                              " (idle timeout " + format_duration(deadlines_.idle_timeout) + ").");
                continue;
            }
            case Action::warn_duration: {
                deadline_state_.duration_warned = true;
                const auto in = format_duration(step.remaining);
                log(codes::SSH_MAX_SESSION_DURATION_WARNING, "closing in " + in, {{"closingIn", in}});
                tell_sessions("This connection will be closed in " + in + ": it reaches the maximum session duration of " +
                              format_duration(deadlines_.max_session_duration) + ".");
                continue;
            }
            case Action::close_idle: {
                const auto limit = format_duration(deadlines_.idle_timeout);
                say_goodbye("Closed after " + limit + " without activity (idle timeout).");
                close(codes::SSH_IDLE_TIMEOUT, "no session traffic for ssh.idleTimeout (" + limit + ")");
                return;
            }
            case Action::close_duration: {
                const auto limit = format_duration(deadlines_.max_session_duration);
                say_goodbye("Closed after the maximum session duration of " + limit + ".");
                close(codes::SSH_MAX_SESSION_DURATION, "ssh.maxSessionDuration (" + limit + ") reached");
                return;
            }
        }
        if (!step.next_check) return;
        deadline_timer_.expires_at(*step.next_check);
        deadline_timer_.async_wait(asio::bind_executor(strand_.executor, [self = shared_from_this()](auto ec) {
            if (ec) return;
            self->on_deadline();
            self->arm_waits();  // a warning may have left bytes for libssh to send
        }));
        return;
    }
}

void Connection::tell_sessions(const std::string& line) {
    for (auto& [id, session] : channels_) session->tell_user(line);
}

// The reason goes twice: on each session's stderr, because OpenSSH's client
// leaves as soon as its last channel closes (close() closes them before the
// disconnect, and the client never reads the disconnect message then), and
// as the disconnect message, for a connection with no session open.
void Connection::say_goodbye(const std::string& line) {
    tell_sessions(line);
    ssh_session_set_disconnect_message(session_, line.c_str());
}

void Connection::close(const char* code, std::string reason) {
    if (closing()) return;
    const bool before_authentication = state_ == State::handshake || state_ == State::authenticating;
    // A connection that never reached `ready` is a failed handshake, also
    // when the configuration server or the backend refused it.
    if (state_ != State::ready) context_.metrics.handshake_failed(country_);
    state_ = State::closing;
    close_reason_ = std::move(reason);
    if (before_authentication && audit_) {
        audit_->emit(CSH_AUDIT_HANDSHAKE_FAILED, CSH_AUDIT_NO_CHANNEL, {audit_field::text("reason", close_reason_)});
    }
    grace_timer_.cancel();
    keepalive_timer_.cancel();
    deadline_timer_.cancel();
    startup_.release();
    // Requests still waiting for a plugin are not answered any more: the
    // client is gone or about to be disconnected.
    queue_->stop_replies();
    global_replies_.clear();
    if (code != nullptr) log(code, close_reason_, {{"reason", close_reason_}});
    authenticator_.connection_closing();
    for (auto& [channel, session] : channels_) session->connection_closing();
    channels_.clear();
    // Before the backend's connection_close, as sessions; an open still
    // waiting for forward_open is finished by its completion, one waiting
    // for the client is refused to its backend now.
    for (auto& [channel, forward] : forwards_) forward->connection_closing();
    forwards_.clear();
    // The listeners stop before the backend's connection ends (each may be a
    // process in the container it removes).
    stop_listeners([](Connection& c) { c.close_backend(); });
}

void Connection::close_backend() {
    if (backend_connection_ != nullptr) {
        auto* conn = std::exchange(backend_connection_, nullptr);
        const auto& backend = context_.plugins.backend;
        backend.api->connection_close(
            conn, status_completion(*this, {backend.id, "connection_close", AtConnectionEnd::still_runs},
                                    [](Connection& c, StatusAnswer) { c.finish_close(); }));
        return;
    }
    finish_close();
}

// Closing a TCP socket with unread input makes the kernel answer with a
// reset, and a client that gets it may drop the disconnect message we just
// sent (when it pipelined requests behind its authentication, say). Reading
// what already arrived lets the close end with an orderly FIN.
void Connection::discard_unread_input() {
    if (!socket_.is_open()) return;
    char sink[4096];
    while (::recv(socket_.native_handle(), sink, sizeof sink, MSG_DONTWAIT) > 0) {
    }
}

void Connection::finish_close() {
    if (state_ == State::closed) return;
    state_ = State::closed;
    drop_outstanding_completions();
    if (audit_) {
        audit_->emit(CSH_AUDIT_DISCONNECT, CSH_AUDIT_NO_CHANNEL, {});
        audit_->close();
    }
    for (const auto& auth : context_.plugins.auth) {
        if (auth.api->connection_closed != nullptr) auth.api->connection_closed(auth.instance, &info());
    }
    if (ssh_is_connected(session_)) {
        // libssh writes only when it saw the socket writable since its last
        // write, and ssh_disconnect closes the socket right after queueing
        // its packet: without this the disconnect message (the only thing
        // the user reads about why) was sometimes never sent.
        ssh_set_fd_towrite(session_);
        ssh_disconnect(session_);
    }
    discard_unread_input();
    boost::system::error_code ignored;
    socket_.close(ignored);  // our duplicate; libssh closes its own fd in ssh_free
    if (event_ != nullptr) {
        ssh_event_remove_session(event_, session_);
        ssh_event_free(event_);
        event_ = nullptr;
    }
    ssh_free(session_);
    session_ = nullptr;
    log(codes::SSH_DISCONNECTED, close_reason_);
    if (counted_open_) context_.metrics.connection_closed(country_);
    if (context_.on_closed) context_.on_closed(*this);
}

void Connection::drop_outstanding_completions() {
    for (const auto& owed : outstanding_.detach_all()) {
        log(codes::CORE_PLUGIN_MISBEHAVING,
            "the plugin had not answered " + owed->call() + " when the connection ended; the request was dropped",
            {{"plugin", owed->plugin()}, {"call", owed->call()}});
    }
}

}  // namespace csh::ssh
