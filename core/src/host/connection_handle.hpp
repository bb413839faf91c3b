// The ABI's opaque connection handle (csh_connection), defined by the core:
// what a plugin's log line or audit event needs to know about a connection.
#pragma once

#include <containerssh/plugin/audit.h>

#include <vector>

struct csh_connection {
    virtual ~csh_connection() = default;
    // Appends the connection's log labels (connectionId, remoteAddr, username).
    virtual void append_log_fields(std::vector<csh_field>& out) const = 0;
    // Records an event on the connection's audit streams. [connection-strand]
    virtual void emit_audit(const csh_audit_event& event) = 0;
};
