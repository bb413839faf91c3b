/*
 * ContainerSSH plugin ABI, version 1: audit plugins and audit events.
 *
 * The host opens one audit stream per TCP connection on every loaded audit
 * plugin and feeds it every event of the connection in order, ending with a
 * disconnect event, then closes the stream.
 */
#ifndef CONTAINERSSH_PLUGIN_AUDIT_H
#define CONTAINERSSH_PLUGIN_AUDIT_H

#include "common.h"
#include "plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CSH_AUDIT_INTERFACE_ID "containerssh.audit/1"

/** Event types: ContainerSSH's audit message type numbers. */
typedef uint32_t csh_audit_type;
#define CSH_AUDIT_CONNECT ((csh_audit_type)0)
#define CSH_AUDIT_DISCONNECT ((csh_audit_type)1)
#define CSH_AUDIT_AUTH_PASSWORD ((csh_audit_type)100)
#define CSH_AUDIT_AUTH_PASSWORD_SUCCESSFUL ((csh_audit_type)101)
#define CSH_AUDIT_AUTH_PASSWORD_FAILED ((csh_audit_type)102)
#define CSH_AUDIT_AUTH_PASSWORD_BACKEND_ERROR ((csh_audit_type)103)
#define CSH_AUDIT_AUTH_PUBKEY ((csh_audit_type)104)
#define CSH_AUDIT_AUTH_PUBKEY_SUCCESSFUL ((csh_audit_type)105)
#define CSH_AUDIT_AUTH_PUBKEY_FAILED ((csh_audit_type)106)
#define CSH_AUDIT_AUTH_PUBKEY_BACKEND_ERROR ((csh_audit_type)107)
#define CSH_AUDIT_AUTH_KBDINT_CHALLENGE ((csh_audit_type)108)
#define CSH_AUDIT_AUTH_KBDINT_ANSWER ((csh_audit_type)109)
#define CSH_AUDIT_AUTH_KBDINT_FAILED ((csh_audit_type)110)
#define CSH_AUDIT_AUTH_KBDINT_BACKEND_ERROR ((csh_audit_type)111)
#define CSH_AUDIT_HANDSHAKE_FAILED ((csh_audit_type)198)
#define CSH_AUDIT_HANDSHAKE_SUCCESSFUL ((csh_audit_type)199)
#define CSH_AUDIT_GLOBAL_REQUEST_UNKNOWN ((csh_audit_type)200)
#define CSH_AUDIT_GLOBAL_REQUEST_DECODE_FAILED ((csh_audit_type)201)
/* ABI 1.3: ContainerSSH's forwarding types (payload keys are its Go field names). */
/** tcpip-forward {BindHost, BindPort} */
#define CSH_AUDIT_REQUEST_REVERSE_FORWARD ((csh_audit_type)202)
/** cancel-tcpip-forward {BindHost, BindPort} */
#define CSH_AUDIT_REQUEST_CANCEL_REVERSE_FORWARD ((csh_audit_type)203)
/** streamlocal-forward@openssh.com {Path} */
#define CSH_AUDIT_REQUEST_STREAMLOCAL_FORWARD ((csh_audit_type)204)
/** cancel-streamlocal-forward@openssh.com {Path} */
#define CSH_AUDIT_REQUEST_CANCEL_STREAMLOCAL_FORWARD ((csh_audit_type)205)
#define CSH_AUDIT_NEW_CHANNEL ((csh_audit_type)300)
#define CSH_AUDIT_NEW_CHANNEL_SUCCESSFUL ((csh_audit_type)301)
#define CSH_AUDIT_NEW_CHANNEL_FAILED ((csh_audit_type)302)
/* ABI 1.3: the details of a forwarding channel, after its 300 (client-opened) or before its 301. */
/** direct-tcpip {HostToConnect, PortToConnect, OriginatorHost, OriginatorPort} */
#define CSH_AUDIT_NEW_CHANNEL_DIRECT_TCPIP ((csh_audit_type)303)
/** forwarded-tcpip {ConnectedHost, ConnectedPort, OriginatorHost, OriginatorPort} */
#define CSH_AUDIT_NEW_CHANNEL_FORWARDED_TCPIP ((csh_audit_type)304)
/** x11 {OriginatorHost, OriginatorPort} */
#define CSH_AUDIT_NEW_CHANNEL_X11 ((csh_audit_type)305)
/** direct-streamlocal@openssh.com {Path} */
#define CSH_AUDIT_NEW_CHANNEL_DIRECT_STREAMLOCAL ((csh_audit_type)306)
/** forwarded-streamlocal@openssh.com {Path} */
#define CSH_AUDIT_NEW_CHANNEL_FORWARDED_STREAMLOCAL ((csh_audit_type)307)
#define CSH_AUDIT_CHANNEL_REQUEST_UNKNOWN ((csh_audit_type)400)
#define CSH_AUDIT_CHANNEL_REQUEST_DECODE_FAILED ((csh_audit_type)401)
#define CSH_AUDIT_SETENV ((csh_audit_type)402)
#define CSH_AUDIT_EXEC ((csh_audit_type)403)
#define CSH_AUDIT_PTY ((csh_audit_type)404)
#define CSH_AUDIT_SHELL ((csh_audit_type)405)
#define CSH_AUDIT_SIGNAL ((csh_audit_type)406)
#define CSH_AUDIT_SUBSYSTEM ((csh_audit_type)407)
#define CSH_AUDIT_WINDOW ((csh_audit_type)408)
#define CSH_AUDIT_X11 ((csh_audit_type)409)
#define CSH_AUDIT_CLOSE_WRITE ((csh_audit_type)496)
#define CSH_AUDIT_CLOSE ((csh_audit_type)497)
#define CSH_AUDIT_EXIT_SIGNAL ((csh_audit_type)498)
#define CSH_AUDIT_EXIT ((csh_audit_type)499)
#define CSH_AUDIT_IO ((csh_audit_type)500)
#define CSH_AUDIT_REQUEST_FAILED ((csh_audit_type)501)

/** Types of a payload field's value. */
typedef uint32_t csh_audit_value_type;
#define CSH_AUDIT_VALUE_STRING ((csh_audit_value_type)0)
#define CSH_AUDIT_VALUE_BYTES ((csh_audit_value_type)1)
#define CSH_AUDIT_VALUE_INT ((csh_audit_value_type)2)
#define CSH_AUDIT_VALUE_UINT ((csh_audit_value_type)3)
#define CSH_AUDIT_VALUE_BOOL ((csh_audit_value_type)4)
/** A JSON text, for nested values (e.g. keyboard-interactive questions). */
#define CSH_AUDIT_VALUE_JSON ((csh_audit_value_type)5)

/**
 * One payload field; `key` is ContainerSSH's payload field name (e.g.
 * "remoteAddr", "exitStatus"). Frozen layout.
 */
typedef struct csh_audit_field {
    csh_str key;
    csh_audit_value_type type;
    uint32_t reserved0;
    union {
        csh_str string; /* STRING, JSON */
        csh_bytes bytes; /* BYTES */
        int64_t int_value; /* INT */
        uint64_t uint_value; /* UINT */
        int32_t bool_value; /* BOOL: 0 or 1 */
    } value;
} csh_audit_field;

/** Sentinel channel id of connection-level events. */
#define CSH_AUDIT_NO_CHANNEL INT64_C(-1)

/** One event. Views borrowed for the call. */
typedef struct csh_audit_event {
    uint32_t struct_size;
    csh_audit_type type;
    /** Unix time in nanoseconds. */
    int64_t timestamp_ns;
    /** Channel number, or CSH_AUDIT_NO_CHANNEL. */
    int64_t channel_id;
    csh_str connection_id;
    const csh_audit_field *payload;
    size_t payload_count;
} csh_audit_event;

/** One connection's audit stream in the plugin. Plugin-owned. */
typedef struct csh_audit_stream csh_audit_stream;

typedef struct csh_audit_interface {
    uint32_t struct_size;
    uint32_t reserved0;
    /**
     * [connection-strand] Opens a stream for a new TCP connection (right
     * after accept). Returns NULL when this connection cannot be recorded
     * (the plugin logs why): the host then closes the connection before the
     * key exchange (CORE_AUDIT_UNAVAILABLE), since a gateway with audit
     * recording on serves no connection unrecorded. A plugin that prefers
     * to let such connections through returns a stream that drops events.
     * Required.
     */
    csh_audit_stream *(*stream_open)(csh_plugin_instance *instance,
                                     const csh_connection_info *connection);
    /** [connection-strand] Records one event; must not block. Required. */
    void (*stream_event)(csh_audit_stream *stream, const csh_audit_event *event);
    /**
     * [connection-strand] No more events. The plugin finishes (e.g. uploads)
     * in the background and destroys the stream itself. Required.
     */
    void (*stream_close)(csh_audit_stream *stream);

    /* ---- ABI 1.2: check with CSH_TABLE_HAS before use ---- */

    /**
     * [control] Optional (may be NULL). The host is stopping: every stream
     * has been closed and no new one will open. The plugin finishes its
     * background work (the last uploads) and calls `done` once it is
     * finished. The host's event loop keeps running until then, so timers,
     * fd watches and posts still work; the host waits at most
     * `deadline_ms`, then logs CORE_AUDIT_FLUSH_TIMEOUT and stops anyway. `deinit` follows, after
     * the loop stopped. `done` may be called from any thread, also before
     * flush returns.
     */
    void (*flush)(csh_plugin_instance *instance, uint64_t deadline_ms, csh_status_completion done);
} csh_audit_interface;

#define CSH_AUDIT_INTERFACE_V1_END CSH_END_OF(csh_audit_interface, stream_close)

#ifdef __cplusplus
}
#endif

#endif /* CONTAINERSSH_PLUGIN_AUDIT_H */
