// Audit plugins (containerssh.audit/1): one stream per TCP connection that
// receives every event of the connection in order.
#pragma once

#include <containerssh/sdk/completion.hpp>
#include <containerssh/sdk/connection_info.hpp>
#include <containerssh/sdk/host_reference.hpp>
#include <containerssh/sdk/plugin.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string_view>

namespace csh::sdk {

// A view of one payload field, borrowed for the call.
class AuditField {
public:
    explicit AuditField(const csh_audit_field& raw) : raw_(&raw) {}
    std::string_view key() const { return view(raw_->key); }
    csh_audit_value_type type() const { return raw_->type; }
    // STRING and JSON values.
    std::string_view string() const { return view(raw_->value.string); }
    // BYTES values.
    std::string_view bytes() const { return view(raw_->value.bytes); }
    int64_t int_value() const { return raw_->value.int_value; }
    uint64_t uint_value() const { return raw_->value.uint_value; }
    bool bool_value() const { return raw_->value.bool_value != 0; }

private:
    const csh_audit_field* raw_;
};

// A view of one event, borrowed for the call.
class AuditEvent {
public:
    explicit AuditEvent(const csh_audit_event& raw) : raw_(&raw) {}
    csh_audit_type type() const { return raw_->type; }
    int64_t timestamp_ns() const { return raw_->timestamp_ns; }
    // The channel number, or nullopt for connection-level events.
    std::optional<int64_t> channel_id() const {
        return raw_->channel_id == CSH_AUDIT_NO_CHANNEL ? std::nullopt : std::optional<int64_t>(raw_->channel_id);
    }
    std::string_view connection_id() const { return view(raw_->connection_id); }
    size_t field_count() const { return raw_->payload == nullptr ? 0 : raw_->payload_count; }
    AuditField field(size_t index) const { return AuditField(raw_->payload[index]); }
    const csh_audit_event& raw() const { return *raw_; }

private:
    const csh_audit_event* raw_;
};

class AuditStream : public HostReferenced<AuditStream> {
public:
    explicit AuditStream(Host host) : host_(std::move(host)) {}
    AuditStream(const AuditStream&) = delete;
    AuditStream& operator=(const AuditStream&) = delete;
    virtual ~AuditStream() = default;

    const Host& host() const { return host_; }

    // [connection-strand] Records one event; must not block.
    virtual void event(const AuditEvent& event) = 0;
    // [connection-strand] No more events. The host's reference is dropped when
    // this returns; keep shared_from_this() in background work to finish later.
    virtual void close() {}

private:
    Host host_;
};

class AuditPlugin : public virtual Plugin {
public:
    const void* get_interface(std::string_view interface_id) override {
        return interface_id == CSH_AUDIT_INTERFACE_ID ? &table : Plugin::get_interface(interface_id);
    }

protected:
    AuditPlugin() = default;

    // [connection-strand] A stream for a new connection, or nullptr when it
    // cannot be recorded (log why): the host then refuses the connection.
    virtual std::shared_ptr<AuditStream> open_stream(const ConnectionInfo& connection) = 0;

    // [control] The host is stopping and every stream was closed: finish the
    // background work (the last uploads) and complete `done`. The host's
    // loop keeps running until then, for at most `deadline`. The default has
    // nothing to wait for.
    virtual void flush(std::chrono::milliseconds deadline, StatusCompletion done) {
        (void)deadline;
        done.ok();
    }

private:
    using Streams = detail::HandleGlue<AuditStream, csh_audit_stream>;

    static csh_audit_stream* stream_open_entry(csh_plugin_instance* instance, const csh_connection_info* connection) {
        AuditPlugin& self = kind_of<AuditPlugin>(instance);
        try {
            std::shared_ptr<AuditStream> stream = self.open_stream(ConnectionInfo(*connection));
            return stream ? Streams::hand_over(std::move(stream)) : nullptr;
        } catch (...) {
            self.host().log_current_exception("audit.stream_open", connection->connection);
            return nullptr;
        }
    }
    static void stream_event_entry(csh_audit_stream* handle, const csh_audit_event* event) {
        AuditStream& stream = Streams::from(handle);
        try {
            stream.event(AuditEvent(*event));
        } catch (...) {
            stream.host().log_current_exception("audit.stream_event");
        }
    }
    static void stream_close_entry(csh_audit_stream* handle) {
        AuditStream& stream = Streams::from(handle);
        const std::shared_ptr<AuditStream> keep = Streams::take_back(handle);
        try {
            stream.close();
        } catch (...) {
            stream.host().log_current_exception("audit.stream_close");
        }
    }

    static void flush_entry(csh_plugin_instance* instance, uint64_t deadline_ms, csh_status_completion done) {
        AuditPlugin& self = kind_of<AuditPlugin>(instance);
        StatusCompletion completion(self.host(), done, "audit.flush");
        try {
            self.flush(std::chrono::milliseconds(deadline_ms), std::move(completion));
        } catch (...) {
            self.host().log_current_exception("audit.flush");
        }
    }

    static constexpr csh_audit_interface table{sizeof(csh_audit_interface), 0, &stream_open_entry,
                                               &stream_event_entry, &stream_close_entry, &flush_entry};
};

}  // namespace csh::sdk
