// One connection's audit streams: one per loaded audit plugin, fed every
// event of the connection in order and closed after the disconnect event.
#pragma once

#include "ssh/plugin_set.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace csh::ssh {

// What the audit section asks the core to capture (audit.intercept.*).
// Unlike ContainerSSH, passwords are only recorded when asked for, and
// stderr follows its own flag.
struct AuditIntercept {
    bool stdin_data = false;
    bool stdout_data = false;
    bool stderr_data = false;
    bool passwords = false;
    // Bytes of forwarding channels (stream 0 from the client, 1 to it).
    bool forwarding = false;
};

namespace audit_field {
csh_audit_field text(const char* key, std::string_view value);
csh_audit_field bytes(const char* key, std::string_view value);
csh_audit_field uint(const char* key, uint64_t value);
csh_audit_field boolean(const char* key, bool value);
}  // namespace audit_field

class AuditStreams {
public:
    AuditStreams(const PluginSet& plugins, const csh_connection_info& connection);
    ~AuditStreams();
    AuditStreams(const AuditStreams&) = delete;
    AuditStreams& operator=(const AuditStreams&) = delete;

    bool active() const { return !streams_.empty(); }
    // An audit plugin could not record this connection (stream_open gave
    // NULL): the connection must not be served unrecorded.
    bool refused() const { return refused_; }
    void emit(csh_audit_type type, int64_t channel, std::initializer_list<csh_audit_field> payload);
    // An event from a plugin; connection id and (if zero) timestamp are filled in.
    void emit(const csh_audit_event& event);
    void close();

private:
    struct Stream {
        const csh_audit_interface* api;
        csh_audit_stream* stream;
    };
    std::string connection_id_;
    std::vector<Stream> streams_;
    bool refused_ = false;
};

}  // namespace csh::ssh
