/*
 * ContainerSSH plugin ABI, version 1: configuration plugins.
 *
 * After authentication the host asks the config plugin for this connection's
 * settings: a partial configuration (same keys as the file) that the host
 * merges over the file for this connection only, then validates.
 */
#ifndef CONTAINERSSH_PLUGIN_CONFIG_H
#define CONTAINERSSH_PLUGIN_CONFIG_H

#include "common.h"
#include "plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CSH_CONFIG_INTERFACE_ID "containerssh.config/1"

/** The answer for one connection. Views are borrowed for the completion call. */
typedef struct csh_config_result {
    uint32_t struct_size;
    /** CSH_OK, or CSH_FAILED / CSH_UNAVAILABLE: the connection is then closed. */
    csh_status status;
    /**
     * JSON object text with the keys to override (`{}` or empty for none).
     * An explicit false, 0 or "" does override the file.
     */
    csh_str config_json;
    /** Items to merge into the connection's metadata. */
    csh_metadata metadata;
    /** New authenticated user name; empty keeps the previous one. */
    csh_str authenticated_username;
    /** Why it failed, for the log (never a secret). */
    csh_str reason;
} csh_config_result;

typedef struct csh_config_completion {
    /** [any-thread] Call exactly once. */
    void (*complete)(void *context, const csh_config_result *result);
    void *context;
} csh_config_completion;

typedef struct csh_config_interface {
    uint32_t struct_size;
    uint32_t reserved0;
    /** [connection-strand] Fetches the per-connection configuration. Required. */
    void (*connection_config)(csh_plugin_instance *instance,
                              const csh_connection_info *connection,
                              csh_config_completion done);
} csh_config_interface;

#define CSH_CONFIG_INTERFACE_V1_END CSH_END_OF(csh_config_interface, connection_config)
/** The smallest struct_size of a csh_config_result the host accepts. */
#define CSH_CONFIG_RESULT_V1_END CSH_END_OF(csh_config_result, reason)

#ifdef __cplusplus
}
#endif

#endif /* CONTAINERSSH_PLUGIN_CONFIG_H */
