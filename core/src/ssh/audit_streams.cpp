#include "ssh/audit_streams.hpp"

#include <chrono>

namespace csh::ssh {

namespace audit_field {
csh_audit_field text(const char* key, std::string_view value) {
    csh_audit_field f{};
    f.key = {key, std::char_traits<char>::length(key)};
    f.type = CSH_AUDIT_VALUE_STRING;
    f.value.string = {value.data(), value.size()};
    return f;
}
csh_audit_field bytes(const char* key, std::string_view value) {
    csh_audit_field f{};
    f.key = {key, std::char_traits<char>::length(key)};
    f.type = CSH_AUDIT_VALUE_BYTES;
    f.value.bytes = {reinterpret_cast<const uint8_t*>(value.data()), value.size()};
    return f;
}
csh_audit_field uint(const char* key, uint64_t value) {
    csh_audit_field f{};
    f.key = {key, std::char_traits<char>::length(key)};
    f.type = CSH_AUDIT_VALUE_UINT;
    f.value.uint_value = value;
    return f;
}
csh_audit_field boolean(const char* key, bool value) {
    csh_audit_field f{};
    f.key = {key, std::char_traits<char>::length(key)};
    f.type = CSH_AUDIT_VALUE_BOOL;
    f.value.bool_value = value ? 1 : 0;
    return f;
}
}  // namespace audit_field

namespace {
int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}
}  // namespace

AuditStreams::AuditStreams(const PluginSet& plugins, const csh_connection_info& connection)
    : connection_id_(connection.connection_id.data, connection.connection_id.size) {
    for (const auto& p : plugins.audit) {
        if (auto* s = p.api->stream_open(p.instance, &connection)) {
            streams_.push_back({p.api, s});
        } else {
            refused_ = true;
        }
    }
}

AuditStreams::~AuditStreams() { close(); }

void AuditStreams::emit(csh_audit_type type, int64_t channel, std::initializer_list<csh_audit_field> payload) {
    if (streams_.empty()) return;
    csh_audit_event event{};
    event.struct_size = sizeof event;
    event.type = type;
    event.channel_id = channel;
    event.payload = payload.begin();
    event.payload_count = payload.size();
    emit(event);
}

void AuditStreams::emit(const csh_audit_event& source) {
    if (streams_.empty()) return;
    csh_audit_event event = source;
    event.connection_id = {connection_id_.data(), connection_id_.size()};
    if (event.timestamp_ns == 0) event.timestamp_ns = now_ns();
    for (auto& s : streams_) s.api->stream_event(s.stream, &event);
}

void AuditStreams::close() {
    for (auto& s : streams_) s.api->stream_close(s.stream);
    streams_.clear();
}

}  // namespace csh::ssh
