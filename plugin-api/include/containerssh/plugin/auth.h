/*
 * ContainerSSH plugin ABI, version 1: authentication and authorization plugins.
 *
 * The host calls one method per authentication attempt, on the connection's
 * strand, and the plugin answers through the completion, from any thread.
 * After every successful authentication the host calls `authorize` on each
 * plugin that offers it; any refusal turns the success into a failure.
 */
#ifndef CONTAINERSSH_PLUGIN_AUTH_H
#define CONTAINERSSH_PLUGIN_AUTH_H

#include "common.h"
#include "plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CSH_AUTH_INTERFACE_ID "containerssh.auth/1"

/** Bits of csh_auth_interface.methods. */
#define CSH_AUTH_METHOD_PASSWORD 1u
#define CSH_AUTH_METHOD_PUBLIC_KEY 2u
#define CSH_AUTH_METHOD_KEYBOARD_INTERACTIVE 4u
#define CSH_AUTH_METHOD_AUTHORIZATION 8u

typedef uint32_t csh_auth_outcome;
/** The credentials are valid. */
#define CSH_AUTH_SUCCESS ((csh_auth_outcome)0)
/** The credentials are not valid. */
#define CSH_AUTH_FAILURE ((csh_auth_outcome)1)
/** No decision could be made (the auth server is down); the client may try another method. */
#define CSH_AUTH_UNAVAILABLE ((csh_auth_outcome)2)

/** The answer to one attempt. Views are borrowed for the completion call. */
typedef struct csh_auth_result {
    uint32_t struct_size;
    csh_auth_outcome outcome;
    /** Identity established; empty keeps the previous value. */
    csh_str authenticated_username;
    /** Items to merge (key-wise override) into the connection's metadata. */
    csh_metadata metadata;
    /** Why, for the log (never shown to the client, never a secret). */
    csh_str reason;
} csh_auth_result;

typedef struct csh_auth_completion {
    /** [any-thread] Call exactly once. */
    void (*complete)(void *context, const csh_auth_result *result);
    void *context;
} csh_auth_completion;

/** One keyboard-interactive question. Frozen layout. */
typedef struct csh_kbdint_question {
    csh_str text;
    /** Non-zero when the answer may be echoed while typed. */
    uint32_t echo;
    uint32_t reserved0;
} csh_kbdint_question;

/**
 * [connection-strand] Receives the client's answers to one round of
 * questions, borrowed for the call. `answers` is NULL and `count` 0 when the
 * client went away; the plugin must still complete the attempt.
 */
typedef void (*csh_kbdint_answer_fn)(void *user, const csh_str *answers, size_t count);

/**
 * The host's side of a keyboard-interactive exchange. It dies with the
 * attempt's completion: once `done` of keyboard_interactive was called, `ask`
 * must not be called again (the host freed `context`). One round at a time:
 * wait for `answered` before asking again.
 */
typedef struct csh_kbdint_prompt {
    /**
     * [connection-strand] Sends one round of questions (zero questions shows
     * only the instruction). `answered` runs exactly once, on the connection
     * strand, also when the client leaves first (with no answers).
     */
    void (*ask)(void *context, csh_str name, csh_str instruction,
                const csh_kbdint_question *questions, size_t question_count,
                csh_kbdint_answer_fn answered, void *user);
    void *context;
} csh_kbdint_prompt;

typedef struct csh_auth_interface {
    uint32_t struct_size;
    /** CSH_AUTH_METHOD_* bits this plugin serves; the matching slots are required. */
    uint32_t methods;
    /** [connection-strand] Checks a password (raw bytes; never log them). */
    void (*password)(csh_plugin_instance *instance, const csh_connection_info *connection,
                     csh_bytes password, csh_auth_completion done);
    /**
     * [connection-strand] Checks whether a public key may log in. The key is an
     * authorized_keys line without comment ("ssh-ed25519 AAAA..."). The host
     * verifies the client's signature itself.
     */
    void (*public_key)(csh_plugin_instance *instance, const csh_connection_info *connection,
                       csh_str authorized_key, csh_auth_completion done);
    /** [connection-strand] Runs a keyboard-interactive exchange through `prompt`. */
    void (*keyboard_interactive)(csh_plugin_instance *instance,
                                 const csh_connection_info *connection,
                                 csh_kbdint_prompt prompt, csh_auth_completion done);
    /**
     * [connection-strand] Decides whether an authenticated user may proceed;
     * `connection` carries the authenticated user name and metadata so far.
     */
    void (*authorize)(csh_plugin_instance *instance, const csh_connection_info *connection,
                      csh_auth_completion done);
    /**
     * [connection-strand] Optional (may be NULL): the connection ended; drop
     * anything kept for it. In-flight completions must still be called.
     */
    void (*connection_closed)(csh_plugin_instance *instance,
                              const csh_connection_info *connection);
} csh_auth_interface;

#define CSH_AUTH_INTERFACE_V1_END CSH_END_OF(csh_auth_interface, connection_closed)
/** The smallest struct_size of a csh_auth_result the host accepts. */
#define CSH_AUTH_RESULT_V1_END CSH_END_OF(csh_auth_result, reason)

#ifdef __cplusplus
}
#endif

#endif /* CONTAINERSSH_PLUGIN_AUTH_H */
