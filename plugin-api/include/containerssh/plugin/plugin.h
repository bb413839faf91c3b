/*
 * ContainerSSH plugin ABI, version 1: the plugin descriptor and its entry point.
 *
 * A plugin is a shared object exporting exactly one symbol,
 * `containerssh_plugin_entry`, which returns a pointer to a constant
 * descriptor. Calling it has no side effects, so the host can list plugins
 * (and their message codes) without initialising them. The host opens the
 * object with every symbol resolved at once (RTLD_NOW), so a plugin linked
 * against a library or symbol this machine lacks is refused when it is
 * loaded, with CORE_PLUGIN_OPEN_FAILED and the loader's text, never later.
 */
#ifndef CONTAINERSSH_PLUGIN_PLUGIN_H
#define CONTAINERSSH_PLUGIN_PLUGIN_H

#include "common.h"
#include "host.h"

#ifdef __cplusplus
extern "C" {
#endif

/** First field of every descriptor: "CSHP" read as a little-endian uint32. */
#define CSH_PLUGIN_MAGIC UINT32_C(0x50485343)

/** Name of the one exported symbol. */
#define CSH_PLUGIN_ENTRY_SYMBOL "containerssh_plugin_entry"

/**
 * One entry of a plugin's message-code table. Codes are unique across the
 * host and every loaded plugin; the host refuses a plugin whose table repeats
 * a code already registered with another level or explanation. An exact copy
 * is accepted: the table of a library that several plugins link in (one
 * source of truth, registered by each plugin that may log it). Frozen layout.
 */
typedef struct csh_message_code {
    /** Upper-case identifier, e.g. "DOCKER_CONTAINER_CREATE". NUL-terminated. */
    const char *code;
    /** Level every line with this code is logged at. */
    csh_log_level level;
    /** What happened and what an operator can do about it. NUL-terminated. */
    const char *explanation;
} csh_message_code;

/** A plugin's instance state; created by `init`, destroyed by `deinit`. */
typedef struct csh_plugin_instance csh_plugin_instance;

/**
 * The descriptor. The first five fields are frozen forever so that any host
 * can read them from any plugin. Everything after them belongs to ABI 1.
 * All strings are NUL-terminated and live as long as the shared object.
 */
typedef struct csh_plugin_descriptor {
    /* ---- frozen prefix ---- */
    /** Must be CSH_PLUGIN_MAGIC. */
    uint32_t magic;
    /** sizeof(csh_plugin_descriptor) as the plugin was compiled. */
    uint32_t struct_size;
    /** CSH_ABI_MAJOR the plugin was built against. */
    uint16_t abi_major;
    /** CSH_ABI_MINOR the plugin was built against. */
    uint16_t abi_minor;
    /** Oldest host minor version that has every slot the plugin calls. */
    uint16_t min_host_minor;
    uint16_t reserved0;
    /* ---- ABI 1.0 ---- */
    /** Reverse-DNS identifier, e.g. "io.containerssh.backend.docker". Required. */
    const char *id;
    /** Human-readable name. Required. */
    const char *name;
    /** The plugin's own version, e.g. "1.2.0". Required. */
    const char *version;
    /** One sentence on what it does. May be NULL. */
    const char *description;
    /**
     * What it provides, `provides_count` entries of "<kind>/<name>" as the
     * configuration file selects them ("backend/docker", "auth/webhook",
     * "audit/s3", ...; docs/plugin-development.md lists what selects each).
     * Required.
     */
    const char *const *provides;
    size_t provides_count;
    /** The plugin's message codes, registered by the host before `init`. */
    const csh_message_code *message_codes;
    size_t message_code_count;
    /**
     * [control] Creates the instance. The host services in `host` stay valid
     * until `deinit` returns. On failure, log the reason with one of the
     * plugin's codes and return CSH_FAILED; `deinit` is then not called.
     * Required.
     */
    csh_status (*init)(const csh_host *host, csh_plugin_instance **out_instance);
    /**
     * [control] Destroys the instance. Called once, after every object the
     * plugin created has been destroyed. Required.
     */
    void (*deinit)(csh_plugin_instance *instance);
    /**
     * [control] Returns the interface table with the given versioned id
     * (e.g. CSH_BACKEND_INTERFACE_ID), or NULL when not implemented. The
     * table lives as long as the instance. Required.
     */
    const void *(*get_interface)(csh_plugin_instance *instance, const char *interface_id);
} csh_plugin_descriptor;

/** The smallest struct_size of a descriptor (its ABI 1.0 end). */
#define CSH_PLUGIN_DESCRIPTOR_V1_END CSH_END_OF(csh_plugin_descriptor, get_interface)

/** Type of the entry point. */
typedef const csh_plugin_descriptor *(*csh_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* CONTAINERSSH_PLUGIN_PLUGIN_H */
