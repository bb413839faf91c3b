#include "ssh/session_channel.hpp"

#include "host/host_entry.hpp"
#include "log/codes.hpp"
#include "ssh/channel_request.hpp"
#include "ssh/completions.hpp"
#include "ssh/connection.hpp"
#include "ssh/libssh_messages.hpp"
#include "ssh/request_policy.hpp"

#include <algorithm>
#include <cstring>

namespace csh::ssh {

namespace {


csh_str view(const std::string& s) { return {s.data(), s.size()}; }

using host::guarded;

}  // namespace

SessionChannel::SessionChannel(Connection& connection, uint64_t id)
    : connection_(connection),
      id_(id),
      stdin_([this](const char* data, size_t size) { return offer_stdin(data, size); }),
      env_budget_(connection.policy().limits().env_max_variables, connection.policy().limits().env_max_bytes) {
    // Each entry runs behind the host barrier (host/host_entry.hpp).
    static const csh_session_host_api api = {
        sizeof(csh_session_host_api),
        0,
        [](csh_session_host* h, csh_stream stream, csh_bytes data) {
            // On failure the bytes count as taken: a plugin waiting for
            // output_ready that never comes would hang the channel.
            return guarded(logger_of(h), "session.write_output", data.size,
                           [&] { return api_write_output(h, stream, data); });
        },
        [](csh_session_host* h) { guarded(logger_of(h), "session.stdin_ready", [&] { api_stdin_ready(h); }); },
        [](csh_session_host* h, uint32_t status) {
            guarded(logger_of(h), "session.exit_status", [&] { api_exit_status(h, status); });
        },
        [](csh_session_host* h, csh_str signal, int core_dumped, csh_str message) {
            guarded(logger_of(h), "session.exit_signal", [&] { api_exit_signal(h, signal, core_dumped, message); });
        },
        [](csh_session_host* h) { guarded(logger_of(h), "session.finished", [&] { api_finished(h); }); },
        [](csh_session_host* h, csh_str reason, csh_str user_message) {
            guarded(logger_of(h), "session.refuse_open", [&] { api_refuse_open(h, reason, user_message); });
        },
    };
    params_.struct_size = sizeof params_;
    params_.channel_id = id;
    params_.strand = connection.strand();
    params_.host = this;
    params_.api = &api;
}

SessionChannel::~SessionChannel() { release_channel(); }

log::Logger* SessionChannel::logger_of(csh_session_host* host) {
    return &static_cast<SessionChannel*>(host)->connection_.context().logger;
}

void SessionChannel::attach(ssh_channel channel, csh_backend_session* backend) {
    channel_ = channel;
    backend_ = backend;
    callbacks_.size = sizeof callbacks_;
    callbacks_.userdata = this;
    callbacks_.channel_data_function = on_data;
    callbacks_.channel_eof_function = on_eof;
    callbacks_.channel_close_function = on_close;
    callbacks_.channel_signal_function = on_signal;
    callbacks_.channel_auth_agent_req_function = on_auth_agent_req;
    ssh_callbacks_init(&callbacks_);
    ssh_set_channel_callbacks(channel_, &callbacks_);
}

// ---- requests --------------------------------------------------------------
//
// Every request of the channel goes the same way: decoded into a
// ChannelRequest (channel_request.hpp), then submit(), the one seam between
// "request decoded" and "backend called", where the log line, the audit
// event and (next) the security policy see it, then the backend, then
// answer() with the backend's verdict. Requests with a reply hold the
// connection's message queue until they are answered, so replies go out in
// order; signals have no reply and hold nothing.

void SessionChannel::handle_request(Message message) {
    ChannelRequest request = decode_channel_request(message.get());
    submit(std::move(request), std::move(message));
}

void SessionChannel::submit(ChannelRequest request, Message reply_to) {
    auto& c = connection_;
    const uint64_t request_id = c.next_request_id();
    const std::string channel_label = std::to_string(id_);
    c.log(codes::SSH_CHANNEL_REQUEST, "", {{"channelId", channel_label}, {"requestType", request.name}});
    audit_request(request, request_id);
    Answered answered{request_id, request.kind, request.name,
                      request.kind == RequestKind::signal ? request.key : std::string()};
    // Every signal submitted ends in answer(), refused or not, which counts it off.
    if (request.kind == RequestKind::signal) ++signals_in_flight_;
    // The security policy sits between the audit event and the backend, so
    // a refusal is recorded with the request it refuses.
    const PolicyVerdict verdict = judge(c.policy(), request);
    switch (verdict.action) {
        case PolicyVerdict::Action::refuse:
            refuse(std::move(reply_to), answered, verdict);
            return;
        case PolicyVerdict::Action::force_command:
            force_command(std::move(reply_to), std::move(answered), verdict);
            return;
        case PolicyVerdict::Action::pass:
            break;
    }
    if (request.kind == RequestKind::env && !env_fits(request, reply_to, answered)) return;
    forward(request, std::move(reply_to), std::move(answered));
}

void SessionChannel::forward(const ChannelRequest& request, Message reply_to, Answered answered) {
    auto& c = connection_;
    if (request.kind == RequestKind::x11) {
        set_up_x11_forwarding(request, std::move(reply_to), std::move(answered));
        return;
    }
    if (starts_program(request.kind) && agent_requested_ && !agent_settled_) {
        set_up_agent_forwarding(request, std::move(reply_to), std::move(answered));
        return;
    }
    if (starts_program(request.kind) && !connection_env_sent_) {
        set_connection_env(request, std::move(reply_to), std::move(answered));
        return;
    }
    // A backend answers its session requests before its connection_close
    // completes (backend.h); one still pending at the end is reported.
    const auto& backend = c.context().plugins.backend;
    auto done = status_completion(
        c, {backend.id, request.name, AtConnectionEnd::drop_and_report},
        [reply_to = std::move(reply_to), channel_id = id_, answered = std::move(answered)](
            Connection& conn, StatusAnswer answer) mutable {
            auto* channel = conn.find_channel(channel_id);
            if (conn.closing() || channel == nullptr) {
                reply_to.discard();  // the channel, and with it the request, is gone
                return;
            }
            channel->answer(std::move(reply_to), answered, answer);
        });
    if (backend_ == nullptr || finished_) {
        done.complete(done.context, CSH_FAILED, {"the session is over", 19});
        return;
    }
    if (starts_program(request.kind)) program_requested_at_ = std::chrono::steady_clock::now();
    call_backend(request, done);
}

void SessionChannel::call_backend(const ChannelRequest& request, csh_status_completion done) {
    const auto& backend = *connection_.context().plugins.backend.api;
    // A backend leaves the slots of requests it cannot serve NULL (ABI 1.2):
    // the request fails here, through the same path as a backend's refusal.
    const auto refuse = [&done](const char* reason) { done.complete(done.context, CSH_FAILED, {reason, std::strlen(reason)}); };
    switch (request.kind) {
        case RequestKind::pty: {
            if (backend.session_pty == nullptr) return refuse("the backend does not support terminals");
            csh_pty_request pty{};
            pty.struct_size = sizeof pty;
            pty.columns = request.columns;
            pty.rows = request.rows;
            pty.width_px = request.width_px;
            pty.height_px = request.height_px;
            pty.term = view(request.term);
            backend.session_pty(backend_, &pty, done);
            return;
        }
        case RequestKind::env:
            if (backend.session_env == nullptr) return refuse("the backend does not support environment variables");
            backend.session_env(backend_, view(request.key), view(request.value), done);
            return;
        case RequestKind::exec:
            backend.session_exec(backend_, view(request.key), done);
            return;
        case RequestKind::shell:
            if (backend.session_shell == nullptr) return refuse("the backend does not support shells");
            backend.session_shell(backend_, done);
            return;
        case RequestKind::subsystem:
            if (backend.session_subsystem == nullptr) return refuse("the backend does not support subsystems");
            backend.session_subsystem(backend_, view(request.key), done);
            return;
        case RequestKind::window_change: {
            if (backend.session_window_change == nullptr) return refuse("the backend does not support window changes");
            const csh_window_size size{sizeof(csh_window_size), request.columns, request.rows, request.width_px,
                                       request.height_px};
            backend.session_window_change(backend_, &size, done);
            return;
        }
        case RequestKind::signal:
            if (backend.session_signal == nullptr) return refuse("the backend does not support signals");
            backend.session_signal(backend_, view(request.key), done);
            return;
        case RequestKind::x11:
        case RequestKind::unknown:
            return refuse("unsupported request type");
    }
}

void SessionChannel::audit_request(const ChannelRequest& r, uint64_t request_id) {
    auto* audit = connection_.audit();
    if (audit == nullptr) return;
    const auto channel = static_cast<int64_t>(id_);
    const auto rid = audit_field::uint("requestId", request_id);
    switch (r.kind) {
        case RequestKind::pty:
            audit->emit(CSH_AUDIT_PTY, channel,
                        {rid, audit_field::text("term", r.term), audit_field::uint("columns", r.columns),
                         audit_field::uint("rows", r.rows), audit_field::uint("width", r.width_px),
                         audit_field::uint("height", r.height_px)});
            return;
        case RequestKind::env:
            audit->emit(CSH_AUDIT_SETENV, channel,
                        {rid, audit_field::text("name", r.key), audit_field::text("value", r.value)});
            return;
        case RequestKind::exec:
            audit->emit(CSH_AUDIT_EXEC, channel, {rid, audit_field::text("program", r.key)});
            return;
        case RequestKind::shell:
            audit->emit(CSH_AUDIT_SHELL, channel, {rid});
            return;
        case RequestKind::subsystem:
            audit->emit(CSH_AUDIT_SUBSYSTEM, channel, {rid, audit_field::text("subsystem", r.key)});
            return;
        case RequestKind::window_change:
            audit->emit(CSH_AUDIT_WINDOW, channel,
                        {rid, audit_field::uint("columns", r.columns), audit_field::uint("rows", r.rows),
                         audit_field::uint("width", r.width_px), audit_field::uint("height", r.height_px)});
            return;
        case RequestKind::signal:
            audit->emit(CSH_AUDIT_SIGNAL, channel, {rid, audit_field::text("signal", r.key)});
            return;
        case RequestKind::x11:
            // The cookie stays out: it is a credential.
            audit->emit(CSH_AUDIT_X11, channel,
                        {rid, audit_field::boolean("singleConnection", r.single_connection),
                         audit_field::text("authProtocol", r.key), audit_field::uint("screen", r.screen)});
            return;
        case RequestKind::unknown:
            audit->emit(CSH_AUDIT_CHANNEL_REQUEST_UNKNOWN, channel, {rid, audit_field::text("requestType", r.name)});
            return;
    }
}

void SessionChannel::answer(Message reply_to, const Answered& request, const StatusAnswer& answer) {
    auto& c = connection_;
    const std::string label = std::to_string(id_);
    const std::string_view name = request.name;
    if (request.kind == RequestKind::signal && signals_in_flight_ > 0) --signals_in_flight_;
    if (answer.status == CSH_OK) {
        reply_to.answer(ssh_message_channel_request_reply_success);
        c.log(codes::SSH_CHANNEL_REQUEST_SUCCESSFUL, "", {{"channelId", label}, {"requestType", name}});
        if (request.kind == RequestKind::pty) terminal_ = true;
        // A started program may take stdin that arrived before it.
        if (starts_program(request.kind)) stdin_.resume();
    } else {
        reply_to.reply_default();
        if (request.kind == RequestKind::signal) {
            c.log(codes::SSH_CHANNEL_REQUEST_FAILED, answer.reason,
                  {{"channelId", label}, {"requestType", name}, {"signal", request.signal}, {"reason", answer.reason}});
        } else {
            c.log(codes::SSH_CHANNEL_REQUEST_FAILED, answer.reason,
                  {{"channelId", label}, {"requestType", name}, {"reason", answer.reason}});
        }
        if (auto* a = c.audit()) {
            a->emit(CSH_AUDIT_REQUEST_FAILED, static_cast<int64_t>(id_),
                    {audit_field::uint("requestId", request.id), audit_field::text("reason", answer.reason)});
        }
    }
}

// ---- stdin: client -> program ------------------------------------------------

int SessionChannel::on_data(ssh_session, ssh_channel, void* data, uint32_t len, int is_stderr, void* self_ptr) {
    auto* self = static_cast<SessionChannel*>(self_ptr);
    if (len > 0) self->connection_.note_traffic();
    // Clients have no stderr to send; data for a program that is gone is dropped.
    if (is_stderr != 0 || self->backend_ == nullptr || self->finished_) return static_cast<int>(len);
    return static_cast<int>(self->stdin_.on_data(static_cast<const char*>(data), len));
}

size_t SessionChannel::offer_stdin(const char* data, size_t size) {
    if (backend_ == nullptr) return size;  // the program is gone
    auto& backend = *connection_.context().plugins.backend.api;
    const size_t taken = std::min(backend.session_stdin(backend_, {reinterpret_cast<const uint8_t*>(data), size}), size);
    if (taken > 0) audit_io(0, data, taken);
    return taken;
}

void SessionChannel::deliver_eof_when_drained() {
    if (backend_ != nullptr && stdin_.eof_due(channel_, connection_)) {
        connection_.context().plugins.backend.api->session_stdin_eof(backend_);
    }
}

// These callbacks can also run inside service() (libssh reads packets while
// we drain stdin), after service() looked at their flags: each schedules
// another pump so that what they recorded is never left waiting.
void SessionChannel::on_eof(ssh_session, ssh_channel, void* self_ptr) {
    auto* self = static_cast<SessionChannel*>(self_ptr);
    self->stdin_.remote_eof();
    self->connection_.wake();
}

void SessionChannel::on_close(ssh_session, ssh_channel, void* self_ptr) {
    auto* self = static_cast<SessionChannel*>(self_ptr);
    self->remote_closed_ = true;
    self->connection_.wake();
}

void SessionChannel::on_signal(ssh_session, ssh_channel, const char* signal, void* self_ptr) {
    auto* self = static_cast<SessionChannel*>(self_ptr);
    if (signal == nullptr) return;
    self->connection_.note_traffic();
    // Signals have no reply and hold no queue: without a bound, a client
    // sending them faster than the backend answers grows this list forever.
    const auto max = self->connection_.policy().limits().max_pending_signals;
    if (self->pending_signals_.size() + self->signals_in_flight_ >= max) {
        if (!std::exchange(self->signal_limit_logged_, true)) {
            self->connection_.log(codes::SECURITY_PENDING_SIGNALS_LIMIT,
                                  "more than security.maxPendingSignals (" + std::to_string(max) +
                                      ") signals wait for the backend; dropped",
                                  {{"channelId", std::to_string(self->id_)}, {"signal", signal}});
        }
        self->connection_.context().metrics.security_refused(codes::SECURITY_PENDING_SIGNALS_LIMIT);
        return;
    }
    self->pending_signals_.emplace_back(signal);
    self->connection_.wake();
}

// ---- output: program -> client ------------------------------------------------

size_t SessionChannel::api_write_output(csh_session_host* host, csh_stream stream, csh_bytes data) {
    auto* self = static_cast<SessionChannel*>(host);
    if (self->finished_ || self->remote_closed_ || self->channel_ == nullptr || self->connection_.closing()) {
        return data.size;  // nobody left to read it
    }
    const bool to_stderr = stream == CSH_STREAM_STDERR;
    const int written = self->output_.write(self->connection_, self->channel_, data.data, data.size, to_stderr);
    if (written < 0) return data.size;  // the connection is failing; pump will notice
    if (written > 0 && self->program_requested_at_) self->note_first_output();
    self->audit_io(to_stderr ? 2 : 1, reinterpret_cast<const char*>(data.data), static_cast<size_t>(written));
    return static_cast<size_t>(written);
}

void SessionChannel::note_first_output() {
    const auto now = std::chrono::steady_clock::now();
    connection_.context().metrics.phase(LoginPhase::program_start, now - *program_requested_at_);
    program_requested_at_.reset();
    connection_.note_first_output();
}

void SessionChannel::api_stdin_ready(csh_session_host* host) {
    auto* self = static_cast<SessionChannel*>(host);
    self->stdin_.resume();
    self->connection_.wake();
}

void SessionChannel::api_exit_status(csh_session_host* host, uint32_t status) {
    static_cast<SessionChannel*>(host)->exit_status_ = status;
}

void SessionChannel::api_exit_signal(csh_session_host* host, csh_str signal, int core_dumped, csh_str message) {
    static_cast<SessionChannel*>(host)->exit_signal_ =
        ExitSignal{std::string(signal.data, signal.size), core_dumped != 0, std::string(message.data, message.size)};
}

void SessionChannel::api_refuse_open(csh_session_host* host, csh_str reason, csh_str user_message) {
    auto* self = static_cast<SessionChannel*>(host);
    self->refusal_ = Refusal{std::string(reason.data, reason.size), std::string(user_message.data, user_message.size)};
}

void SessionChannel::api_finished(csh_session_host* host) {
    auto* self = static_cast<SessionChannel*>(host);
    if (self->finished_) return;
    self->finished_ = true;
    self->send_exit_and_close();
    self->connection_.wake();  // service() then tells the backend and frees the channel
}

void SessionChannel::send_exit_and_close() {
    if (channel_ == nullptr || remote_closed_ || connection_.closing()) return;
    auto& c = connection_;
    auto* audit = c.audit();
    const auto channel = static_cast<int64_t>(id_);
    const std::string label = std::to_string(id_);
    if (exit_signal_) {
        c.log(codes::SSH_EXIT_SIGNAL, "", {{"channelId", label}, {"signal", exit_signal_->signal}});
        if (ssh_channel_request_send_exit_signal(channel_, exit_signal_->signal.c_str(), exit_signal_->core_dumped,
                                                 exit_signal_->message.c_str(), "") != SSH_OK) {
            c.log(codes::SSH_EXIT_CODE_FAILED, "", {{"channelId", label}});
        }
        if (audit) {
            audit->emit(CSH_AUDIT_EXIT_SIGNAL, channel,
                        {audit_field::text("signal", exit_signal_->signal),
                         audit_field::boolean("coreDumped", exit_signal_->core_dumped),
                         audit_field::text("errorMessage", exit_signal_->message),
                         audit_field::text("languageTag", "")});
        }
    } else if (exit_status_) {
        const std::string status = std::to_string(*exit_status_);
        c.log(codes::SSH_EXIT, "", {{"channelId", label}, {"exitStatus", status}});
        if (ssh_channel_request_send_exit_status(channel_, static_cast<int>(*exit_status_)) != SSH_OK) {
            c.log(codes::SSH_EXIT_CODE_FAILED, "", {{"channelId", label}});
        }
        if (audit) audit->emit(CSH_AUDIT_EXIT, channel, {audit_field::uint("exitStatus", *exit_status_)});
    }
    ssh_channel_send_eof(channel_);
    if (audit) audit->emit(CSH_AUDIT_CLOSE_WRITE, channel, {});
    ssh_channel_close(channel_);
    if (audit) audit->emit(CSH_AUDIT_CLOSE, channel, {});
}

// ---- housekeeping ---------------------------------------------------------------

bool SessionChannel::service() {
    auto& backend = *connection_.context().plugins.backend.api;
    if (backend_ != nullptr && !finished_) {
        for (auto& signal : std::exchange(pending_signals_, {})) submit(signal_request(std::move(signal)), Message());
        stdin_.drain(channel_, connection_);
        deliver_eof_when_drained();
        if (output_room_unannounced()) {
            output_.announced();
            backend.session_output_ready(backend_);
        }
    }
    if (remote_closed_ && !finished_ && channel_ != nullptr) {
        // The client closed first: answer with our close.
        ssh_channel_close(channel_);
        if (auto* audit = connection_.audit()) audit->emit(CSH_AUDIT_CLOSE, static_cast<int64_t>(id_), {});
        finished_ = true;
    }
    if (!finished_) return false;
    release_channel();
    return true;
}

bool SessionChannel::output_room_unannounced() const {
    return backend_ != nullptr && !finished_ && output_.room_unannounced(connection_, channel_);
}

void SessionChannel::connection_closing() { release_channel(); }

void SessionChannel::release_channel() {
    // Its agent listener serves the session's program: it goes first.
    if (agent_settled_ || x11_requested_) connection_.stop_session_listeners(id_);
    if (backend_ != nullptr) {
        auto* session = std::exchange(backend_, nullptr);
        connection_.context().plugins.backend.api->session_close(session);
    }
    if (channel_ != nullptr) {
        ssh_remove_channel_callbacks(channel_, &callbacks_);
        // libssh keeps the channel until the client's close arrives, then frees it.
        ssh_channel_free(std::exchange(channel_, nullptr));
    }
}

void SessionChannel::audit_io(uint64_t stream, const char* data, size_t size) {
    auto* audit = connection_.audit();
    if (audit == nullptr || size == 0) return;
    const auto& intercept = connection_.context().intercept;
    const bool wanted = stream == 0 ? intercept.stdin_data : stream == 1 ? intercept.stdout_data : intercept.stderr_data;
    if (!wanted) return;
    audit->emit(CSH_AUDIT_IO, static_cast<int64_t>(id_),
                {audit_field::uint("stream", stream), audit_field::bytes("data", std::string_view(data, size))});
}

}  // namespace csh::ssh
