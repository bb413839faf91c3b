/*
 * ContainerSSH plugin ABI, version 1: basic types shared by every header.
 *
 * Rules that hold for every type in this ABI:
 *  - Views (csh_str, csh_bytes and arrays of them) are borrowed: they are valid
 *    only until the call that received them returns. Copy what you keep.
 *  - Whoever creates an object destroys it, through its own interface. Nothing
 *    allocated by one side is ever freed by the other.
 *  - Every struct that may grow starts with `struct_size` (set it to
 *    sizeof(the struct) as compiled) and only grows at its end. Readers check
 *    struct_size before touching a field added in a later minor version.
 *    Element types of arrays (csh_field, csh_metadata_entry, ...) are frozen.
 *  - Enumerations are fixed-width integers with named constants.
 *  - Threading tags on each function and callback type say where it may be
 *    called (for a callback: where it runs):
 *      [any-thread]          from any thread, including the plugin's own;
 *      [control]             from the host's control thread (start-up, shut-down);
 *      [connection-strand]   on the strand of the connection it concerns;
 *      [channel-strand]      on the strand of the channel it concerns;
 *      [strand of the timer] on the strand given to timer_start;
 *      [strand of the watch] on the strand given to fd_watch_start.
 *    Calls the host makes for one connection never run concurrently. Nothing
 *    may block a loop thread: slow work completes later through a completion.
 *  - Completions are linear: the receiver must invoke one exactly once, from
 *    any thread. The host moves the result to the right strand itself. A
 *    completion called after its connection ended is accepted and ignored.
 *  - No exception, longjmp or C++ type ever crosses this boundary, in either
 *    direction: host functions never unwind into plugin frames.
 *  - Version history: docs/design/plugin-abi.md. Fields and slots added after
 *    1.0 say "ABI 1.N" and are read only when struct_size covers them
 *    (CSH_TABLE_HAS). Each table's 1.0 end is a CSH_*_V1_END constant: the
 *    smallest struct_size a reader accepts, whatever later minors append.
 */
#ifndef CONTAINERSSH_PLUGIN_COMMON_H
#define CONTAINERSSH_PLUGIN_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** ABI major version: a plugin with a different major is refused. */
#define CSH_ABI_MAJOR 1u
/** ABI minor version of these headers: additions only. */
#define CSH_ABI_MINOR 4u

/** The offset just past `field` of struct `type`. */
#define CSH_END_OF(type, field) (offsetof(type, field) + sizeof(((const type *)0)->field))

/**
 * True when `table`, a pointer to a struct of type `type` that starts with
 * struct_size, is large enough to hold `field`: use it before touching a slot
 * added in a later minor version (e.g. a host of minor 0 has no histograms).
 */
#define CSH_TABLE_HAS(table, type, field) ((table)->struct_size >= CSH_END_OF(type, field))

/** A borrowed UTF-8 string view; not NUL-terminated unless stated. */
typedef struct csh_str {
    const char *data;
    size_t size;
} csh_str;

/** A borrowed byte view. */
typedef struct csh_bytes {
    const uint8_t *data;
    size_t size;
} csh_bytes;

/** Result of an operation. */
typedef int32_t csh_status;
/** The operation succeeded. */
#define CSH_OK ((csh_status)0)
/** The operation was refused or failed; the request was understood. */
#define CSH_FAILED ((csh_status)1)
/** The operation could not be decided (a dependency is down); may be retried. */
#define CSH_UNAVAILABLE ((csh_status)2)
/** The arguments were invalid (a bug in the caller). */
#define CSH_INVALID ((csh_status)3)

/** Log levels: the syslog severities. */
typedef uint8_t csh_log_level;
#define CSH_LOG_EMERGENCY ((csh_log_level)0)
#define CSH_LOG_ALERT ((csh_log_level)1)
#define CSH_LOG_CRITICAL ((csh_log_level)2)
#define CSH_LOG_ERROR ((csh_log_level)3)
#define CSH_LOG_WARNING ((csh_log_level)4)
#define CSH_LOG_NOTICE ((csh_log_level)5)
#define CSH_LOG_INFO ((csh_log_level)6)
#define CSH_LOG_DEBUG ((csh_log_level)7)

/** A key/value pair of strings (log labels, metric labels). Frozen layout. */
typedef struct csh_field {
    csh_str key;
    csh_str value;
} csh_field;

/** What a metadata entry is for (ContainerSSH's three maps). */
typedef uint32_t csh_metadata_kind;
/** Free-form metadata (`metadata` in the webhook JSON). */
#define CSH_METADATA_GENERIC ((csh_metadata_kind)0)
/** An environment variable injected into every program (`environment`). */
#define CSH_METADATA_ENVIRONMENT ((csh_metadata_kind)1)
/** A file written into the container; key is an absolute path (`files`). */
#define CSH_METADATA_FILE ((csh_metadata_kind)2)

/**
 * One metadata item. `value` is raw bytes (for files: the decoded content).
 * Items with `sensitive` set never appear in logs and are not sent to later
 * webhooks unless the operator allows it. Frozen layout.
 */
typedef struct csh_metadata_entry {
    csh_metadata_kind kind;
    uint32_t sensitive; /* 0 or 1 */
    csh_str key;
    csh_bytes value;
} csh_metadata_entry;

/** A borrowed list of metadata items. */
typedef struct csh_metadata {
    const csh_metadata_entry *entries;
    size_t count;
} csh_metadata;

/**
 * Opaque host objects. The host creates and destroys them; plugins only pass
 * them back to host functions.
 */
/** A serial execution context: tasks posted to one strand never run concurrently. */
typedef struct csh_strand csh_strand;
/** One SSH connection as the host sees it (used for log labels and audit). */
typedef struct csh_connection csh_connection;

/**
 * What the host knows about a connection. Passed to every plugin kind.
 * All views are borrowed for the duration of the call. Frozen prefix; grows.
 */
typedef struct csh_connection_info {
    uint32_t struct_size;
    uint32_t reserved0;
    /** 32 lowercase hex characters, unique per TCP connection. */
    csh_str connection_id;
    /** Client address as `IP:port` (IPv6 as `[addr]:port`). */
    csh_str remote_address;
    /** The client's SSH version banner, e.g. `SSH-2.0-OpenSSH_9.2p1`. */
    csh_str client_version;
    /** The user name the client asked for. */
    csh_str username;
    /** The identity authentication established; empty before authentication. */
    csh_str authenticated_username;
    /** Metadata accumulated so far (auth, authz, config server). */
    csh_metadata metadata;
    /**
     * The connection's strand; host functions that need one take this.
     * The strand and `connection` below live from the audit `stream_open`
     * (right after accept) until the connection's last call: the audit
     * `stream_close` and the auth `connection_closed` have returned and the
     * backend's `connection_close` has completed. Until then a plugin may post
     * to the strand and pass the handle to host functions; afterwards both
     * are gone. The host never ends them while it is inside a call of the
     * plugin for this connection.
     */
    csh_strand *strand;
    /** The host's handle for this connection (log labels, audit); see `strand`. */
    csh_connection *connection;
    /**
     * ISO 3166 country code of the client address from the host's GeoIP
     * provider (`geoip` section); "XX" when unknown. Used as the `country`
     * metric label.
     */
    csh_str country;
} csh_connection_info;

/** The smallest struct_size of a csh_connection_info (its ABI 1.0 end). */
#define CSH_CONNECTION_INFO_V1_END CSH_END_OF(csh_connection_info, country)

/** Completion carrying only a status and a reason (for logs, never for users). */
typedef struct csh_status_completion {
    /** [any-thread] Call exactly once. `reason` may be empty. */
    void (*complete)(void *context, csh_status status, csh_str reason);
    void *context;
} csh_status_completion;

#ifdef __cplusplus
}
#endif

#endif /* CONTAINERSSH_PLUGIN_COMMON_H */
