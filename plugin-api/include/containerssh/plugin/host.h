/*
 * ContainerSSH plugin ABI, version 1: the host and the services it offers.
 *
 * A plugin receives a `csh_host` in `init` and asks it for services by
 * versioned id. A service table never changes while the plugin is loaded.
 */
#ifndef CONTAINERSSH_PLUGIN_HOST_H
#define CONTAINERSSH_PLUGIN_HOST_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct csh_host csh_host;

/** The host, as a plugin sees it. Owned by the host. */
struct csh_host {
    uint32_t struct_size;
    /** ABI version the host implements. */
    uint16_t abi_major;
    uint16_t abi_minor;
    /** Opaque to the plugin. */
    void *host_data;
    /**
     * [any-thread] Returns the service table with the given id
     * (CSH_SERVICE_*), or NULL if the host does not offer it. A table may be
     * shorter than the plugin's headers (an older host): compare its
     * struct_size with the table's V1_END before use, and with CSH_TABLE_HAS
     * before a later slot.
     */
    const void *(*get_service)(const csh_host *host, const char *service_id);
};

#define CSH_HOST_V1_END CSH_END_OF(csh_host, get_service)

/* ------------------------------------------------------------------ */
/* Logging                                                             */
/* ------------------------------------------------------------------ */

#define CSH_SERVICE_LOG "containerssh.host.log/1"

typedef struct csh_log_service {
    uint32_t struct_size;
    /**
     * [any-thread] Writes one log line. `code` (NUL-terminated) must be in a
     * registered table; it fixes the line's level. `connection` may be NULL;
     * when set, the line carries the connection's id, address and user name.
     * `message` is the line's text; `fields` are extra labels. Never pass a
     * secret in any of them. All arguments are borrowed.
     */
    void (*log)(const csh_host *host, const char *code, csh_connection *connection,
                csh_str message, const csh_field *fields, size_t field_count);
    /**
     * [any-thread] Non-zero when a line with this code would be written at the
     * current level; lets a plugin skip building an expensive message.
     */
    int (*enabled)(const csh_host *host, const char *code);
} csh_log_service;

#define CSH_LOG_SERVICE_V1_END CSH_END_OF(csh_log_service, enabled)

/* ------------------------------------------------------------------ */
/* Configuration                                                       */
/* ------------------------------------------------------------------ */

#define CSH_SERVICE_CONFIG "containerssh.host.config/1"

typedef struct csh_config_service {
    uint32_t struct_size;
    /**
     * [any-thread] The top-level section `name` of the configuration file
     * (e.g. "docker", "auth", "configserver") as JSON text, with the
     * documented defaults of ContainerSSH's sections filled in; "null" when
     * the section is absent and has no defaults. Keys are as in the file.
     * The plugin validates the values it uses. Valid until deinit.
     */
    csh_str (*section)(const csh_host *host, const char *name);
} csh_config_service;

#define CSH_CONFIG_SERVICE_V1_END CSH_END_OF(csh_config_service, section)

/* ------------------------------------------------------------------ */
/* Event loop: strands, timers, fd watches                             */
/* ------------------------------------------------------------------ */

#define CSH_SERVICE_LOOP "containerssh.host.loop/1"

typedef struct csh_timer csh_timer;
typedef struct csh_fd_watch csh_fd_watch;

/**
 * A task: [strand of the timer] for timer_start, and for post the strand it
 * was posted to (any loop thread when that was NULL).
 */
typedef void (*csh_task_fn)(void *user);

/** Interest and readiness bits of an fd watch. */
#define CSH_FD_READ 1u
#define CSH_FD_WRITE 2u
#define CSH_FD_ERROR 4u

/** [strand of the watch] `ready` holds the CSH_FD_* bits that are ready. */
typedef void (*csh_fd_fn)(void *user, int fd, uint32_t ready);

typedef struct csh_loop_service {
    uint32_t struct_size;
    /** [any-thread] Creates a new strand (for plugin-wide work). Never NULL. */
    csh_strand *(*strand_create)(const csh_host *host);
    /**
     * [any-thread] Releases a strand created by `strand_create`. Tasks already
     * posted still run; posting to it afterwards is a bug.
     */
    void (*strand_destroy)(const csh_host *host, csh_strand *strand);
    /**
     * [any-thread] Runs fn(user) later on `strand`, or on any loop thread when
     * `strand` is NULL. Never runs fn before post returns.
     */
    void (*post)(const csh_host *host, csh_strand *strand, csh_task_fn fn, void *user);
    /**
     * [any-thread] Runs fn(user) once on `strand` (any loop thread when NULL)
     * after `delay_ms`. Returns NULL only when `fn` is NULL or the host is out
     * of memory. The handle is owned by the host: it is valid until fn starts
     * running or until `timer_cancel` returns, whichever comes first, and is
     * freed by the host then. `user` belongs to the plugin throughout.
     */
    csh_timer *(*timer_start)(const csh_host *host, csh_strand *strand, uint64_t delay_ms,
                              csh_task_fn fn, void *user);
    /**
     * [strand of the timer] Cancels a timer whose fn has not started: fn will
     * not run, and the handle is freed. Once fn started the handle is gone,
     * so cancelling then (from inside fn, or later) is a bug; a plugin that
     * may cancel late records that fn ran, as the C++ SDK's Timer does (its
     * cancel after the fire is harmless).
     */
    void (*timer_cancel)(const csh_host *host, csh_timer *timer);
    /**
     * [any-thread] Watches `fd` (owned and closed by the plugin) for the
     * CSH_FD_* bits in `events`; fn runs on `strand` each time the fd is ready
     * (level-triggered) until the watch is updated or stopped. Returns NULL
     * when `strand` or `fn` is NULL, `fd` is negative, the fd cannot be
     * watched (a regular file, a closed fd: epoll refuses it) or the host is
     * out of memory; otherwise the handle lives until fd_watch_stop.
     */
    csh_fd_watch *(*fd_watch_start)(const csh_host *host, csh_strand *strand, int fd,
                                    uint32_t events, csh_fd_fn fn, void *user);
    /** [strand of the watch] Changes the interest bits; 0 pauses the watch. */
    void (*fd_watch_update)(const csh_host *host, csh_fd_watch *watch, uint32_t events);
    /**
     * [strand of the watch] Stops watching and frees the handle; fn does not
     * run afterwards. Call before closing the fd.
     */
    void (*fd_watch_stop)(const csh_host *host, csh_fd_watch *watch);
} csh_loop_service;

#define CSH_LOOP_SERVICE_V1_END CSH_END_OF(csh_loop_service, fd_watch_stop)

/* ------------------------------------------------------------------ */
/* Metrics                                                             */
/* ------------------------------------------------------------------ */

#define CSH_SERVICE_METRICS "containerssh.host.metrics/1"

typedef struct csh_metric csh_metric;

typedef uint32_t csh_metric_type;
#define CSH_METRIC_COUNTER ((csh_metric_type)0)
#define CSH_METRIC_GAUGE ((csh_metric_type)1)
/** ABI 1.1: defined with define_histogram, updated with observe. */
#define CSH_METRIC_HISTOGRAM ((csh_metric_type)2)

/** One sample of the host's registry, as handed to exporters. Frozen layout. */
typedef struct csh_metric_sample {
    const char *name;
    const char *help;
    const char *unit;
    csh_metric_type type;
    uint32_t reserved0;
    const csh_field *labels;
    size_t label_count;
    double value;
} csh_metric_sample;

/**
 * [the thread that called collect] One sample, borrowed for the call. The
 * registry's lock is held while visiting: calling any metrics function from
 * inside a visit (define, add, set, observe, collect) deadlocks.
 */
typedef void (*csh_metric_visit_fn)(void *user, const csh_metric_sample *sample);

/**
 * One series of a histogram family, as handed to exporters (ABI 1.1). Starts
 * with struct_size and grows at its end. Everything is borrowed for the
 * duration of the visit.
 */
typedef struct csh_histogram_sample {
    uint32_t struct_size;
    uint32_t reserved0;
    const char *name;
    const char *help;
    const char *unit;
    const csh_field *labels;
    size_t label_count;
    /** Upper bounds of the finite buckets, strictly ascending; +Inf is implied. */
    const double *bounds;
    /**
     * Cumulative counts, one per bound: bucket_counts[i] observations were
     * <= bounds[i]. The +Inf bucket is `count`.
     */
    const uint64_t *bucket_counts;
    size_t bound_count;
    /** Sum of every observed value. */
    double sum;
    /** Number of observations. */
    uint64_t count;
} csh_histogram_sample;

/** [the thread that called collect_histograms] As csh_metric_visit_fn. */
typedef void (*csh_histogram_visit_fn)(void *user, const csh_histogram_sample *sample);

typedef struct csh_metrics_service {
    uint32_t struct_size;
    /**
     * [control] Defines a metric family (during init). Defining the same name
     * twice with the same type and labels returns the same handle; a conflict
     * returns NULL. The host owns the handle; it stays valid until the
     * plugin's deinit has returned (the registry outlives every plugin).
     */
    csh_metric *(*define)(const csh_host *host, csh_metric_type type, const char *name,
                          const char *help, const char *unit, const char *const *label_names,
                          size_t label_count);
    /** [any-thread] Adds `delta` to the series with these label values (not for histograms). */
    void (*add)(const csh_host *host, csh_metric *metric, const csh_str *label_values,
                size_t label_count, double delta);
    /** [any-thread] Sets a gauge series to `value` (not for histograms). */
    void (*set)(const csh_host *host, csh_metric *metric, const csh_str *label_values,
                size_t label_count, double value);
    /**
     * [any-thread] Calls visit once per series of every counter and gauge
     * family, families in definition order. Samples are borrowed for the
     * duration of visit. Histogram families are not visited here (see
     * collect_histograms), so an exporter of ABI 1.0 sees no change. The
     * registry is locked during the whole walk: see csh_metric_visit_fn.
     */
    void (*collect)(const csh_host *host, csh_metric_visit_fn visit, void *user);

    /* ---- ABI 1.1: check with CSH_TABLE_HAS before use ---- */

    /**
     * [control] Defines a histogram family (during init) whose buckets end at
     * `bounds` (bound_count values, strictly ascending, finite; a +Inf bucket
     * is added). The same name defined again with the same labels and bounds
     * returns the same handle; any other conflict, or bounds that are not
     * ascending, returns NULL. The host owns the handle and copies `bounds`.
     */
    csh_metric *(*define_histogram)(const csh_host *host, const char *name, const char *help,
                                    const char *unit, const char *const *label_names,
                                    size_t label_count, const double *bounds, size_t bound_count);
    /**
     * [any-thread] Records one observation of `value` in the series with these
     * label values. Ignored for a family that is not a histogram.
     */
    void (*observe)(const csh_host *host, csh_metric *metric, const csh_str *label_values,
                    size_t label_count, double value);
    /**
     * [any-thread] Calls visit once per series of every histogram family,
     * families in definition order.
     */
    void (*collect_histograms)(const csh_host *host, csh_histogram_visit_fn visit, void *user);
} csh_metrics_service;

#define CSH_METRICS_SERVICE_V1_END CSH_END_OF(csh_metrics_service, collect)

/* ------------------------------------------------------------------ */
/* Audit emission                                                      */
/* ------------------------------------------------------------------ */

#define CSH_SERVICE_AUDIT "containerssh.host.audit/1"

struct csh_audit_event;

typedef struct csh_audit_service {
    uint32_t struct_size;
    /**
     * [connection-strand] Records an event on the connection's audit stream(s)
     * (e.g. a backend reporting forwarding traffic). The host fills in the
     * connection id and, when zero, the timestamp.
     */
    void (*emit)(const csh_host *host, csh_connection *connection,
                 const struct csh_audit_event *event);
} csh_audit_service;

#define CSH_AUDIT_SERVICE_V1_END CSH_END_OF(csh_audit_service, emit)

#ifdef __cplusplus
}
#endif

#endif /* CONTAINERSSH_PLUGIN_HOST_H */
