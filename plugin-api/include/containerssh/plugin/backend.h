/*
 * ContainerSSH plugin ABI, version 1: backend plugins (where programs run).
 *
 * Lifecycle, all host calls on the connection's strand:
 *   connection_open -> (session_open -> requests, stdin ... -> session_close)*
 *   -> connection_close
 * A session is one SSH "session" channel. The host calls the session
 * functions; the plugin answers requests through completions and sends the
 * program's output, exit status and end through the csh_session_host table.
 * A session's channel strand is its connection's strand in this version.
 *
 * Flow control works in both directions without unbounded buffers:
 *  - stdin: `session_stdin` returns how many bytes the plugin accepted. When
 *    it accepted fewer than offered, the host stops reading from the client
 *    (the SSH window closes) until the plugin calls `stdin_ready`.
 *  - output: `write_output` returns how many bytes the host accepted. When
 *    fewer, the plugin stops reading from the program until the host calls
 *    `session_output_ready`.
 *
 * Forwarding channels (direct-tcpip, tcpip-forward, streamlocal, X11, agent)
 * are future additions at the end of csh_backend_interface.
 */
#ifndef CONTAINERSSH_PLUGIN_BACKEND_H
#define CONTAINERSSH_PLUGIN_BACKEND_H

#include "common.h"
#include "plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CSH_BACKEND_INTERFACE_ID "containerssh.backend/1"

/** A connection's state in the plugin (e.g. its container). Plugin-owned. */
typedef struct csh_backend_connection csh_backend_connection;
/** A session's state in the plugin (e.g. one exec). Plugin-owned. */
typedef struct csh_backend_session csh_backend_session;
/** The host's side of one session channel. Host-owned. */
typedef struct csh_session_host csh_session_host;

/** Output streams of a program. */
typedef uint32_t csh_stream;
#define CSH_STREAM_STDOUT ((csh_stream)1)
#define CSH_STREAM_STDERR ((csh_stream)2)

/**
 * What the plugin may call on a session's host side. All functions are
 * [channel-strand]; a plugin working on another thread posts to the strand
 * it was given. None may be called after `session_close` returned.
 */
typedef struct csh_session_host_api {
    uint32_t struct_size;
    uint32_t reserved0;
    /**
     * Sends program output to the client. Returns the number of bytes taken
     * (all, some or none). When fewer than `data.size`, wait for
     * `session_output_ready` before writing again.
     */
    size_t (*write_output)(csh_session_host *session, csh_stream stream, csh_bytes data);
    /** The plugin can take stdin again after a partial `session_stdin`. */
    void (*stdin_ready)(csh_session_host *session);
    /**
     * The program ended with an exit status. Call before `finished`; the host
     * sends `exit-status` after all accepted output.
     */
    void (*exit_status)(csh_session_host *session, uint32_t status);
    /**
     * The program was killed by a signal (name without "SIG", e.g. "TERM").
     * `message` may be empty. Call before `finished`.
     */
    void (*exit_signal)(csh_session_host *session, csh_str signal, int core_dumped,
                        csh_str message);
    /**
     * The program is done and all its output was written: the host sends EOF
     * and closes the channel, then calls `session_close`.
     */
    void (*finished)(csh_session_host *session);
} csh_session_host_api;

/** Result of opening a connection. Views borrowed for the call. */
typedef struct csh_backend_open_result {
    uint32_t struct_size;
    csh_status status;
    /** The new connection when status is CSH_OK. */
    csh_backend_connection *connection;
    /** Why it failed, for the log (never a secret). */
    csh_str reason;
    /**
     * Added in ABI 1.x (probe with struct_size): one line for the user when
     * status is not CSH_OK ("The container image could not be pulled."),
     * sent as the disconnect message. Empty: the host's generic text.
     */
    csh_str user_message;
} csh_backend_open_result;

typedef struct csh_backend_open_completion {
    /** [any-thread] Call exactly once. */
    void (*complete)(void *context, const csh_backend_open_result *result);
    void *context;
} csh_backend_open_completion;

/** Parameters of a new session channel. */
typedef struct csh_session_params {
    uint32_t struct_size;
    uint32_t reserved0;
    /** Per-connection channel number, from 0. */
    uint64_t channel_id;
    /** Where to call `api` from. */
    csh_strand *strand;
    csh_session_host *host;
    const csh_session_host_api *api;
} csh_session_params;

/** A pty-req. Views borrowed for the call. */
typedef struct csh_pty_request {
    uint32_t struct_size;
    uint32_t columns;
    uint32_t rows;
    uint32_t width_px;
    uint32_t height_px;
    uint32_t reserved0;
    /** The TERM value the client asked for. */
    csh_str term;
    /** Encoded terminal modes as sent by the client (RFC 4254 8). */
    csh_bytes modes;
} csh_pty_request;

/** A window-change. */
typedef struct csh_window_size {
    uint32_t struct_size;
    uint32_t columns;
    uint32_t rows;
    uint32_t width_px;
    uint32_t height_px;
} csh_window_size;

typedef struct csh_backend_interface {
    uint32_t struct_size;
    uint32_t reserved0;
    /**
     * [connection-strand] Prepares a connection after authentication.
     * `config_json` is this connection's effective configuration (the file
     * merged with the config server's answer) as a JSON object. Required.
     */
    void (*connection_open)(csh_plugin_instance *instance, const csh_connection_info *connection,
                            csh_str config_json, csh_backend_open_completion done);
    /**
     * [connection-strand] Tears the connection down (removes its container).
     * Every session was closed before. The plugin destroys `connection` and
     * then completes; the host waits for it on shutdown. Required.
     */
    void (*connection_close)(csh_backend_connection *connection, csh_status_completion done);
    /**
     * [connection-strand] Opens a session channel. Returns CSH_OK and sets
     * *out_session, or refuses (the client sees the channel open fail).
     * Required.
     */
    csh_status (*session_open)(csh_backend_connection *connection,
                               const csh_session_params *params,
                               csh_backend_session **out_session);
    /** [channel-strand] An `env` request, before the program starts. Required. */
    void (*session_env)(csh_backend_session *session, csh_str name, csh_str value,
                        csh_status_completion done);
    /** [channel-strand] A `pty-req`, before the program starts. Required. */
    void (*session_pty)(csh_backend_session *session, const csh_pty_request *pty,
                        csh_status_completion done);
    /** [channel-strand] `exec`: run `command` (the raw string). Required. */
    void (*session_exec)(csh_backend_session *session, csh_str command,
                         csh_status_completion done);
    /** [channel-strand] `shell`: run the user's shell. Required. */
    void (*session_shell)(csh_backend_session *session, csh_status_completion done);
    /** [channel-strand] `subsystem`: run the named subsystem. Required. */
    void (*session_subsystem)(csh_backend_session *session, csh_str name,
                              csh_status_completion done);
    /** [channel-strand] `window-change`. Required. */
    void (*session_window_change)(csh_backend_session *session, const csh_window_size *size,
                                  csh_status_completion done);
    /** [channel-strand] `signal` (name without "SIG"). Required. */
    void (*session_signal)(csh_backend_session *session, csh_str signal,
                           csh_status_completion done);
    /**
     * [channel-strand] Data the client sent to the program. Returns how many
     * bytes were taken; see flow control above. Required.
     */
    size_t (*session_stdin)(csh_backend_session *session, csh_bytes data);
    /** [channel-strand] The client will send no more stdin. Required. */
    void (*session_stdin_eof)(csh_backend_session *session);
    /** [channel-strand] Output may be written again after a partial write. Required. */
    void (*session_output_ready)(csh_backend_session *session);
    /**
     * [channel-strand] The channel is gone (closed by either side or the
     * connection dropped). The plugin stops the program if it still runs,
     * must not call the host side afterwards, and destroys the session when
     * its own pending work is done. Required.
     */
    void (*session_close)(csh_backend_session *session);
} csh_backend_interface;

#ifdef __cplusplus
}
#endif

#endif /* CONTAINERSSH_PLUGIN_BACKEND_H */
