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
 * Forwarding channels (ABI 1.2, at the end of csh_backend_interface) move
 * their bytes by the same rules.
 *
 * Requests are answered in order: the host sends a request to the plugin only
 * after the previous request of the connection was completed. A program may
 * write output as soon as the plugin started it, before it completed the
 * exec/shell/subsystem request: the host sends it at once (RFC 4254 allows
 * data on an open channel at any time; OpenSSH's client shows it).
 *
 * Since ABI 1.2 the request slots env, pty, shell, subsystem, window_change
 * and signal are optional: NULL means "refuse", and the host answers the
 * client's request with a failure itself. A plugin that leaves one NULL sets
 * min_host_minor to 2 (an older host refuses a NULL slot at load).
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

    /* ---- ABI 1.2: check with CSH_TABLE_HAS before use ---- */

    /**
     * Only from inside `session_open`, right before it returns a failure:
     * why the channel is refused. `reason` is for the log (never a secret);
     * `user_message` is one line for the person at the client, empty for
     * none. The host copies both. The host logs them with the refusal and
     * records `reason` in the audit stream; libssh 0.10 cannot send a
     * description with a channel-open failure, so the user message reaches
     * the log only until the host's SSH library can send it.
     */
    void (*refuse_open)(csh_session_host *session, csh_str reason, csh_str user_message);
} csh_session_host_api;

#define CSH_SESSION_HOST_API_V1_END CSH_END_OF(csh_session_host_api, finished)

/** Result of opening a connection. Views borrowed for the call. */
typedef struct csh_backend_open_result {
    uint32_t struct_size;
    csh_status status;
    /** The new connection when status is CSH_OK. */
    csh_backend_connection *connection;
    /** Why it failed, for the log (never a secret). */
    csh_str reason;
    /**
     * One line for the user when status is not CSH_OK ("The container image
     * could not be pulled."), sent as the disconnect message. Empty: the
     * host's generic text.
     */
    csh_str user_message;
} csh_backend_open_result;

/** The smallest struct_size of a csh_backend_open_result the host accepts. */
#define CSH_BACKEND_OPEN_RESULT_V1_END CSH_END_OF(csh_backend_open_result, user_message)

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
    /**
     * Encoded terminal modes as sent by the client (RFC 4254 8). Always empty
     * from this host: libssh 0.10 does not hand them over, so a backend
     * applies its terminal's defaults.
     */
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

/* ------------------------------------------------------------------ */
/* Forwarding (ABI 1.2)                                                */
/* ------------------------------------------------------------------ */
/*
 * Forwarded bytes travel in channels of their own, with the flow control of
 * sessions: the host offers bytes from the client with `forward_data`, the
 * plugin offers bytes to the client with its channel host's `write`.
 *  - client -> backend (direct-tcpip, direct-streamlocal@openssh.com): the
 *    host calls forward_open; the plugin connects inside the container's
 *    network and completes.
 *  - backend -> client (tcpip-forward, streamlocal-forward@openssh.com,
 *    x11-req, auth-agent-req@openssh.com): the host calls listen_start; for
 *    every connection the listener accepts, the plugin calls the listener
 *    host's open_to_client and, once the client confirmed, has a channel.
 */

/** A forwarding channel in the plugin. Plugin-owned. */
typedef struct csh_backend_forward csh_backend_forward;
/** A listener in the plugin (a port, a socket, an X11 display, an agent socket). Plugin-owned. */
typedef struct csh_backend_listener csh_backend_listener;
/** The host's side of a forwarding channel. Host-owned. */
typedef struct csh_forward_host csh_forward_host;
/** The host's side of a listener. Host-owned. */
typedef struct csh_listener_host csh_listener_host;

/** What a forwarding channel or listener reaches. */
typedef uint32_t csh_forward_kind;
/** A TCP host and port (direct-tcpip, tcpip-forward). */
#define CSH_FORWARD_TCPIP ((csh_forward_kind)1)
/** A Unix socket path (direct-streamlocal, streamlocal-forward @openssh.com). */
#define CSH_FORWARD_STREAMLOCAL ((csh_forward_kind)2)
/** An X11 display of a session (x11-req); its channels are "x11". */
#define CSH_FORWARD_X11 ((csh_forward_kind)3)
/** The SSH agent of a session (auth-agent-req@openssh.com). */
#define CSH_FORWARD_AGENT ((csh_forward_kind)4)

/** What the plugin may call on a forwarding channel's host side. [channel-strand] */
typedef struct csh_forward_host_api {
    uint32_t struct_size;
    uint32_t reserved0;
    /** Bytes to the client; returns how many were taken (flow control as write_output). */
    size_t (*write)(csh_forward_host *channel, csh_bytes data);
    /** The plugin can take data again after a partial forward_data. */
    void (*data_ready)(csh_forward_host *channel);
    /** No more bytes to the client (EOF). */
    void (*eof)(csh_forward_host *channel);
    /** The backend's side closed: the host closes the channel, then calls forward_close. */
    void (*closed)(csh_forward_host *channel);
} csh_forward_host_api;

/** A channel to open (forward_open) or opened (open_to_client). Views borrowed for the call. */
typedef struct csh_forward_channel_params {
    uint32_t struct_size;
    csh_forward_kind kind;
    /** Per-connection channel number. */
    uint64_t channel_id;
    /** The target: host name or address (TCPIP), socket path (STREAMLOCAL). */
    csh_str target;
    uint32_t target_port;
    uint32_t originator_port;
    /** Where the connection came from, as the client (or the listener) said. */
    csh_str originator_address;
    csh_strand *strand;
    csh_forward_host *host;
    const csh_forward_host_api *api;
} csh_forward_channel_params;

/** The answer of forward_open or open_to_client. Views borrowed for the call. */
typedef struct csh_forward_open_result {
    uint32_t struct_size;
    csh_status status;
    /** The plugin's channel (forward_open), when status is CSH_OK. */
    csh_backend_forward *channel;
    /** Why it failed, for the log. */
    csh_str reason;
    /** One line for the person at the client; may be empty. */
    csh_str user_message;

    /* ---- ABI 1.4 ---- */

    /**
     * open_to_client only (the host's answer, status CSH_OK): the host side
     * of the channel now open, for the plugin's calls from then on. Unset
     * (NULL) in forward_open's answer, where the params carried it.
     */
    csh_forward_host *host;
    const csh_forward_host_api *api;
} csh_forward_open_result;

typedef struct csh_forward_open_completion {
    /** [any-thread] Call exactly once. */
    void (*complete)(void *context, const csh_forward_open_result *result);
    void *context;
} csh_forward_open_completion;

/** What the plugin may call on a listener's host side. [connection-strand] */
typedef struct csh_listener_host_api {
    uint32_t struct_size;
    uint32_t reserved0;
    /**
     * Opens a channel towards the client for a connection the listener
     * accepted; `channel` is the plugin's side. Of `params` the host reads
     * the kind, `originator_address` and `originator_port`: it fills the
     * channel number, and for TCPIP the connected address and port from the
     * listener (the address as the client sent it, the bound port), which
     * the client matches its forwards by. `done` runs later, never inside
     * this call: with CSH_OK once the client confirmed, the result's `host`
     * and `api` (ABI 1.4) being the channel's host side, valid from then on
     * and ended with forward_close as for forward_open's channels; or with a
     * failure when the client refused or the connection ended, and then the
     * host never calls `channel` (it stays the plugin's).
     */
    void (*open_to_client)(csh_listener_host *listener, const csh_forward_channel_params *params,
                           csh_backend_forward *channel, csh_forward_open_completion done);
} csh_listener_host_api;

/** A listen request. Views borrowed for the call. */
typedef struct csh_listen_params {
    uint32_t struct_size;
    csh_forward_kind kind;
    /** Bind address (TCPIP) or socket path (STREAMLOCAL); empty for X11 and AGENT. */
    csh_str address;
    /** Port to bind (TCPIP; 0: the plugin picks one and reports it). */
    uint32_t port;
    /** X11: non-zero when only one connection is to be forwarded. */
    uint32_t single_connection;
    /** X11 and AGENT: the session the request arrived on; NULL otherwise. */
    csh_backend_session *session;
    /** X11: the authentication protocol and cookie, the screen number. */
    csh_str x11_auth_protocol;
    csh_str x11_auth_cookie;
    uint32_t x11_screen;
    uint32_t reserved0;
    csh_strand *strand;
    csh_listener_host *host;
    const csh_listener_host_api *api;
} csh_listen_params;

/** The answer of listen_start. */
typedef struct csh_listen_result {
    uint32_t struct_size;
    csh_status status;
    csh_backend_listener *listener;
    /** The port bound when 0 was asked (TCPIP), else 0. */
    uint32_t bound_port;
    uint32_t reserved0;
    csh_str reason;
} csh_listen_result;

typedef struct csh_listen_completion {
    /** [any-thread] Call exactly once. */
    void (*complete)(void *context, const csh_listen_result *result);
    void *context;
} csh_listen_completion;

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
     * then completes; the host waits for it on shutdown. By then every
     * request of the connection's sessions has been answered: the host drops
     * one still pending and logs CORE_PLUGIN_MISBEHAVING. Required.
     */
    void (*connection_close)(csh_backend_connection *connection, csh_status_completion done);
    /**
     * [connection-strand] Opens a session channel. Returns CSH_OK and sets
     * *out_session, or refuses (the client sees the channel open fail; say
     * why with the session host's `refuse_open`). Required.
     */
    csh_status (*session_open)(csh_backend_connection *connection,
                               const csh_session_params *params,
                               csh_backend_session **out_session);
    /** [channel-strand] An `env` request, before the program starts. Optional (1.2). */
    void (*session_env)(csh_backend_session *session, csh_str name, csh_str value,
                        csh_status_completion done);
    /** [channel-strand] A `pty-req`, before the program starts. Optional (1.2). */
    void (*session_pty)(csh_backend_session *session, const csh_pty_request *pty,
                        csh_status_completion done);
    /** [channel-strand] `exec`: run `command` (the raw string). Required. */
    void (*session_exec)(csh_backend_session *session, csh_str command,
                         csh_status_completion done);
    /** [channel-strand] `shell`: run the user's shell. Optional (1.2). */
    void (*session_shell)(csh_backend_session *session, csh_status_completion done);
    /** [channel-strand] `subsystem`: run the named subsystem. Optional (1.2). */
    void (*session_subsystem)(csh_backend_session *session, csh_str name,
                              csh_status_completion done);
    /** [channel-strand] `window-change`. Optional (1.2). */
    void (*session_window_change)(csh_backend_session *session, const csh_window_size *size,
                                  csh_status_completion done);
    /** [channel-strand] `signal` (name without "SIG"). Optional (1.2). */
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

    /* ---- ABI 1.2: forwarding. Check with CSH_TABLE_HAS before use. ---- */
    /*
     * The slots below are optional (NULL: the host refuses the request).
     * Since ABI 1.3 the host calls forward_open, forward_data, forward_eof,
     * forward_output_ready and forward_close for direct-tcpip channels that
     * security.forwarding.forwardingMode allows; since ABI 1.4 listen_start
     * and listen_stop for tcpip-forward (kind TCPIP) that
     * security.forwarding.reverseForwardingMode allows, and the forwarded-
     * tcpip channels of open_to_client. See "Forwarding" above
     * csh_forward_channel_params and docs/forwarding.md.
     */

    /**
     * [connection-strand] A channel the client opened to a target on the
     * backend's side: direct-tcpip (host:port), direct-streamlocal (a socket
     * path). The plugin connects and completes with its channel, or refuses.
     * A completion that comes after the client left is answered by the host
     * with forward_close. When connection_close arrives, the plugin fails
     * the forward_opens it has not completed yet: until then the host keeps
     * the connection's state.
     */
    void (*forward_open)(csh_backend_connection *connection, const csh_forward_channel_params *params,
                         csh_forward_open_completion done);
    /** [channel-strand] Bytes from the client; returns how many were taken (flow control as stdin). */
    size_t (*forward_data)(csh_backend_forward *channel, csh_bytes data);
    /** [channel-strand] The client sent EOF. */
    void (*forward_eof)(csh_backend_forward *channel);
    /** [channel-strand] `write` may be called again after a partial one. */
    void (*forward_output_ready)(csh_backend_forward *channel);
    /** [channel-strand] The channel is gone; as session_close. */
    void (*forward_close)(csh_backend_forward *channel);
    /**
     * [connection-strand] The client asked the backend to listen and bring
     * connections back to it: tcpip-forward, streamlocal-forward, and the
     * session requests x11-req and auth-agent-req@openssh.com. Each accepted
     * connection is opened towards the client with the listener host's
     * `open_to_client`. A port-0 request completes with the port bound.
     * When connection_close arrives, the plugin fails the listen_starts it
     * has not completed yet; listeners it completed are stopped with
     * listen_stop before connection_close.
     */
    void (*listen_start)(csh_backend_connection *connection, const csh_listen_params *params,
                         csh_listen_completion done);
    /**
     * [connection-strand] cancel-tcpip-forward and friends, the end of the
     * session it belongs to, or the end of the connection. The plugin stops
     * accepting, calls the listener host no more, and completes; channels
     * already opened stay open.
     */
    void (*listen_stop)(csh_backend_listener *listener, csh_status_completion done);
} csh_backend_interface;

#define CSH_BACKEND_INTERFACE_V1_END CSH_END_OF(csh_backend_interface, session_close)

#ifdef __cplusplus
}
#endif

#endif /* CONTAINERSSH_PLUGIN_BACKEND_H */
