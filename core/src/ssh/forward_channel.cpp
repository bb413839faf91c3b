#include "ssh/forward_channel.hpp"

#include "host/host_entry.hpp"
#include "log/codes.hpp"
#include "ssh/audit_streams.hpp"
#include "ssh/connection.hpp"

#include <algorithm>

namespace csh::ssh {

namespace {
using host::guarded;
csh_str view(const std::string& s) { return {s.data(), s.size()}; }
}  // namespace

const csh_forward_host_api& ForwardChannel::host_api() {
    // Each entry runs behind the host barrier (host/host_entry.hpp).
    static const csh_forward_host_api api = {
        sizeof(csh_forward_host_api),
        0,
        [](csh_forward_host* h, csh_bytes data) {
            // On failure the bytes count as taken, as for sessions: a plugin
            // waiting for output_ready that never comes would hang.
            return guarded(logger_of(h), "forward.write", data.size, [&] { return api_write(h, data); });
        },
        [](csh_forward_host* h) { guarded(logger_of(h), "forward.data_ready", [&] { api_data_ready(h); }); },
        [](csh_forward_host* h) { guarded(logger_of(h), "forward.eof", [&] { api_eof(h); }); },
        [](csh_forward_host* h) { guarded(logger_of(h), "forward.closed", [&] { api_closed(h); }); },
    };
    return api;
}

ForwardChannel::ForwardChannel(Connection& connection, uint64_t id, Target target)
    : connection_(connection),
      id_(id),
      target_(std::move(target)),
      input_([this](const char* data, size_t size) { return offer(data, size); }) {
    params_.struct_size = sizeof params_;
    params_.kind = CSH_FORWARD_TCPIP;
    params_.channel_id = id;
    params_.target = view(target_.host);
    params_.target_port = target_.port;
    params_.originator_port = target_.originator_port;
    params_.originator_address = view(target_.originator_host);
    params_.strand = connection.strand();
    params_.host = this;
    params_.api = &host_api();
}

ForwardChannel::ForwardChannel(Connection& connection, uint64_t id, Target target, Message open)
    : ForwardChannel(connection, id, std::move(target)) {
    open_ = std::move(open);
    open_.release_queue();
}

ForwardChannel::ForwardChannel(Connection& connection, uint64_t id, Target target, csh_forward_kind kind,
                               csh_backend_forward* backend, csh_forward_open_completion done)
    : ForwardChannel(connection, id, std::move(target)) {
    to_client_ = true;
    kind_ = kind;
    params_.kind = kind;
    offered_ = backend;
    done_ = done;
}

void ForwardChannel::answer(csh_forward_open_completion done, csh_status status, std::string_view reason,
                            ForwardChannel* host) {
    csh_forward_open_result result{};
    result.struct_size = sizeof result;
    result.status = status;
    result.reason = {reason.data(), reason.size()};
    if (host != nullptr) {
        result.host = host;
        result.api = &host_api();
    }
    done.complete(done.context, &result);
}

ForwardChannel::~ForwardChannel() { release(); }

log::Logger* ForwardChannel::logger_of(csh_forward_host* host) {
    return &static_cast<ForwardChannel*>(host)->connection_.context().logger;
}

bool ForwardChannel::opened(csh_backend_forward* backend) {
    ssh_channel channel = open_.accept_channel();
    if (channel == nullptr) {
        connection_.context().plugins.backend.api->forward_close(backend);
        finished_ = true;
        return false;
    }
    attach(channel, backend);
    return true;
}

void ForwardChannel::attach(ssh_channel channel, csh_backend_forward* backend) {
    channel_ = channel;
    backend_ = backend;
    callbacks_.size = sizeof callbacks_;
    callbacks_.userdata = this;
    callbacks_.channel_data_function = on_data;
    callbacks_.channel_eof_function = on_eof;
    callbacks_.channel_close_function = on_close;
    ssh_callbacks_init(&callbacks_);
    ssh_set_channel_callbacks(channel_, &callbacks_);
    connection_.context().metrics.forward_opened(type());
    counted_open_ = true;
}

// libssh sends the open at the first call and answers SSH_AGAIN until the
// client confirmed or refused; every later call only looks (and reads what
// packets have arrived, so callbacks may run inside it).
void ForwardChannel::open_to_client() {
    if (opening_channel_ == nullptr) opening_channel_ = ssh_channel_new(connection_.session());
    int rc = SSH_ERROR;
    if (opening_channel_ != nullptr && kind_ == CSH_FORWARD_AGENT) {
        rc = ssh_channel_open_auth_agent(opening_channel_);
    } else if (opening_channel_ != nullptr && kind_ == CSH_FORWARD_X11) {
        rc = ssh_channel_open_x11(opening_channel_, target_.originator_host.c_str(),
                                  static_cast<int>(target_.originator_port));
    } else if (opening_channel_ != nullptr) {
        rc = ssh_channel_open_reverse_forward(opening_channel_, target_.host.c_str(), static_cast<int>(target_.port),
                                              target_.originator_host.c_str(),
                                              static_cast<int>(target_.originator_port));
    }
    if (rc == SSH_AGAIN) return;
    auto* backend = std::exchange(offered_, nullptr);
    if (rc != SSH_OK) {
        if (opening_channel_ != nullptr) ssh_channel_free(std::exchange(opening_channel_, nullptr));
        finished_ = true;
        const std::string reason = std::string("the client refused the ") + type() + " channel";
        connection_.reverse_forward_answered(*this, reason);
        answer(done_, CSH_FAILED, reason);
        return;
    }
    attach(std::exchange(opening_channel_, nullptr), backend);
    // What arrived between the confirmation and the callbacks is not lost:
    // the data waits in libssh (drained below), EOF and close are flags.
    if (ssh_channel_is_eof(channel_) != 0) input_.remote_eof();
    remote_closed_ = ssh_channel_is_closed(channel_) != 0;
    connection_.reverse_forward_answered(*this, {});
    answer(done_, CSH_OK, {}, this);
}

void ForwardChannel::refused() {
    open_.reply_default();  // libssh 0.10 sends "administratively prohibited"
    finished_ = true;
}

// ---- client -> backend ----------------------------------------------------------

int ForwardChannel::on_data(ssh_session, ssh_channel, void* data, uint32_t len, int is_stderr, void* self_ptr) {
    auto* self = static_cast<ForwardChannel*>(self_ptr);
    if (len > 0) self->connection_.note_traffic();
    if (is_stderr != 0 || self->backend_ == nullptr || self->finished_ || self->backend_closed_) {
        return static_cast<int>(len);  // nobody left to take it
    }
    return static_cast<int>(self->input_.on_data(static_cast<const char*>(data), len));
}

size_t ForwardChannel::offer(const char* data, size_t size) {
    if (backend_ == nullptr || backend_closed_) return size;  // nobody left to take it
    auto& backend = *connection_.context().plugins.backend.api;
    const size_t taken = std::min(backend.forward_data(backend_, {reinterpret_cast<const uint8_t*>(data), size}), size);
    if (taken > 0) {
        connection_.context().metrics.forward_bytes(type(), "in", taken);
        audit_io(0, data, taken);
    }
    return taken;
}

void ForwardChannel::deliver_eof_when_drained() {
    if (backend_ != nullptr && input_.eof_due(channel_, connection_)) {
        connection_.context().plugins.backend.api->forward_eof(backend_);
    }
}

// Both may run inside service() (libssh reads while we drain): each asks
// for another pump so that what it recorded is not left waiting.
void ForwardChannel::on_eof(ssh_session, ssh_channel, void* self_ptr) {
    auto* self = static_cast<ForwardChannel*>(self_ptr);
    self->input_.remote_eof();
    self->connection_.wake();
}

void ForwardChannel::on_close(ssh_session, ssh_channel, void* self_ptr) {
    auto* self = static_cast<ForwardChannel*>(self_ptr);
    self->remote_closed_ = true;
    self->connection_.wake();
}

// ---- backend -> client ----------------------------------------------------------

size_t ForwardChannel::api_write(csh_forward_host* host, csh_bytes data) {
    auto* self = static_cast<ForwardChannel*>(host);
    if (self->finished_ || self->remote_closed_ || self->eof_sent_ || self->connection_.closing()) {
        return data.size;  // nobody left to read it
    }
    if (self->channel_ == nullptr) {
        // Not accepted yet: output_ready follows once the client can take bytes.
        self->output_.block();
        return 0;
    }
    const int written = self->output_.write(self->connection_, self->channel_, data.data, data.size);
    if (written < 0) return data.size;  // the connection is failing; pump will notice
    if (written > 0) self->connection_.context().metrics.forward_bytes(self->type(), "out", static_cast<size_t>(written));
    self->audit_io(1, reinterpret_cast<const char*>(data.data), static_cast<size_t>(written));
    return static_cast<size_t>(written);
}

void ForwardChannel::api_data_ready(csh_forward_host* host) {
    auto* self = static_cast<ForwardChannel*>(host);
    self->input_.resume();
    self->connection_.wake();
}

void ForwardChannel::api_eof(csh_forward_host* host) {
    auto* self = static_cast<ForwardChannel*>(host);
    if (self->eof_sent_ || self->finished_ || self->remote_closed_ || self->channel_ == nullptr) return;
    // Everything written before was queued in libssh, so EOF follows it.
    self->eof_sent_ = true;
    ssh_channel_send_eof(self->channel_);
    if (auto* audit = self->connection_.audit()) audit->emit(CSH_AUDIT_CLOSE_WRITE, static_cast<int64_t>(self->id_), {});
    self->connection_.wake();
}

void ForwardChannel::api_closed(csh_forward_host* host) {
    auto* self = static_cast<ForwardChannel*>(host);
    self->backend_closed_ = true;
    self->connection_.wake();  // service() closes the channel, then calls forward_close
}

// ---- housekeeping ---------------------------------------------------------------

bool ForwardChannel::service() {
    if (offered_ != nullptr) open_to_client();
    if (opening()) return false;
    if (backend_ != nullptr && !finished_ && !backend_closed_) {
        input_.drain(channel_, connection_);
        deliver_eof_when_drained();
        if (output_room_unannounced()) {
            output_.announced();
            connection_.context().plugins.backend.api->forward_output_ready(backend_);
        }
    }
    if (!finished_ && channel_ != nullptr) {
        if (remote_closed_) {
            close_channel("client");
        } else if (backend_closed_) {
            close_channel("backend");
        }
    }
    if (!finished_) return false;
    release();
    return true;
}

void ForwardChannel::close_channel(const char* by) {
    auto* audit = connection_.audit();
    const auto channel = static_cast<int64_t>(id_);
    if (!remote_closed_ && !eof_sent_) {
        eof_sent_ = true;
        ssh_channel_send_eof(channel_);
        if (audit) audit->emit(CSH_AUDIT_CLOSE_WRITE, channel, {});
    }
    ssh_channel_close(channel_);
    if (audit) audit->emit(CSH_AUDIT_CLOSE, channel, {});
    finished_ = true;
    connection_.log(codes::SSH_FORWARD_CLOSED, std::string("closed by the ") + by,
                    {{"channelId", std::to_string(id_)}, {"channelType", type()}, {"closedBy", by}});
}

bool ForwardChannel::output_room_unannounced() const {
    return backend_ != nullptr && !finished_ && !backend_closed_ && output_.room_unannounced(connection_, channel_);
}

void ForwardChannel::connection_closing() {
    open_.discard();  // replies have stopped; freed before libssh's session is
    if (offered_ != nullptr) {
        // The backend keeps its channel: the host never called it.
        offered_ = nullptr;
        if (opening_channel_ != nullptr) ssh_channel_free(std::exchange(opening_channel_, nullptr));
        answer(done_, CSH_FAILED, "the connection closed before the client accepted the channel");
    }
    release();
}

void ForwardChannel::release() {
    if (std::exchange(counted_open_, false)) connection_.context().metrics.forward_closed(type());
    if (backend_ != nullptr) {
        auto* forward = std::exchange(backend_, nullptr);
        connection_.context().plugins.backend.api->forward_close(forward);
    }
    if (channel_ != nullptr) {
        ssh_remove_channel_callbacks(channel_, &callbacks_);
        // libssh keeps the channel until the client's close arrives, then frees it.
        ssh_channel_free(std::exchange(channel_, nullptr));
    }
}

void ForwardChannel::audit_io(uint64_t stream, const char* data, size_t size) {
    auto* audit = connection_.audit();
    if (audit == nullptr || size == 0 || !connection_.context().intercept.forwarding) return;
    audit->emit(CSH_AUDIT_IO, static_cast<int64_t>(id_),
                {audit_field::uint("stream", stream), audit_field::bytes("data", std::string_view(data, size))});
}

}  // namespace csh::ssh
