/*
 * activity-log: a ContainerSSH audit plugin in plain C11, on the C headers
 * alone (no SDK, no C++). It provides "audit/activity-log" and writes one
 * line into the gateway's own log for each login, program, exit status and
 * disconnect, with message codes it registers itself:
 *
 *   audit:
 *     enable: true
 *     storage: activity-log
 *
 * The gateway hands every connection's events to `stream_event` on that
 * connection's strand, so a stream needs no lock; nothing here blocks.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <containerssh/plugin.h>

#define ACTIVITY_LOG_EXPORT __attribute__((visibility("default")))

static const csh_message_code codes[] = {
    {"ACTIVITY_LOG_INTERNAL_ERROR", CSH_LOG_ERROR,
     "The activity-log plugin could not start: the gateway offers no log service it can use. The line says which."},
    {"ACTIVITY_LOG_LOGIN", CSH_LOG_INFO, "A user logged in; the line names the authentication method."},
    {"ACTIVITY_LOG_PROGRAM", CSH_LOG_INFO, "A user started a program (exec); the line carries its command line."},
    {"ACTIVITY_LOG_EXIT", CSH_LOG_INFO, "A program a user ran ended; the line carries its exit status."},
    {"ACTIVITY_LOG_DISCONNECT", CSH_LOG_INFO, "A connection ended."},
};

struct csh_plugin_instance {
    const csh_host *host;
    const csh_log_service *log;
};

struct csh_audit_stream {
    struct csh_plugin_instance *instance;
    csh_connection *connection; /* valid until stream_close returns */
};

static csh_str text(const char *s) {
    csh_str out = {s, strlen(s)};
    return out;
}

static void log_line(const struct csh_audit_stream *stream, const char *code, const char *message,
                     const csh_field *fields, size_t field_count) {
    const struct csh_plugin_instance *self = stream->instance;
    self->log->log(self->host, code, stream->connection, text(message), fields, field_count);
}

/* The payload field called `key`, or NULL. Keys are ContainerSSH's Go names. */
static const csh_audit_field *field_of(const csh_audit_event *event, const char *key) {
    const size_t length = strlen(key);
    for (size_t i = 0; i < event->payload_count; ++i) {
        const csh_audit_field *field = &event->payload[i];
        if (field->key.size == length && memcmp(field->key.data, key, length) == 0) return field;
    }
    return NULL;
}

static csh_status activity_init(const csh_host *host, csh_plugin_instance **out_instance) {
    const csh_log_service *log = host->get_service(host, CSH_SERVICE_LOG);
    /* No log service means no way to say so: refuse to load. */
    if (log == NULL || log->struct_size < CSH_LOG_SERVICE_V1_END) return CSH_FAILED;
    struct csh_plugin_instance *self = calloc(1, sizeof *self);
    if (self == NULL) {
        log->log(host, "ACTIVITY_LOG_INTERNAL_ERROR", NULL, text("out of memory"), NULL, 0);
        return CSH_FAILED;
    }
    self->host = host;
    self->log = log;
    *out_instance = self;
    return CSH_OK;
}

static void activity_deinit(csh_plugin_instance *instance) { free(instance); }

static csh_audit_stream *stream_open(csh_plugin_instance *instance, const csh_connection_info *connection) {
    struct csh_audit_stream *stream = calloc(1, sizeof *stream);
    if (stream == NULL) return NULL; /* the gateway closes the connection: nothing goes unrecorded */
    stream->instance = instance;
    stream->connection = connection->connection;
    return stream;
}

static void stream_event(csh_audit_stream *stream, const csh_audit_event *event) {
    switch (event->type) {
    case CSH_AUDIT_AUTH_PASSWORD_SUCCESSFUL:
    case CSH_AUDIT_AUTH_PUBKEY_SUCCESSFUL: {
        const csh_field method = {text("method"),
                                  text(event->type == CSH_AUDIT_AUTH_PASSWORD_SUCCESSFUL ? "password" : "publickey")};
        log_line(stream, "ACTIVITY_LOG_LOGIN", "user logged in", &method, 1);
        break;
    }
    case CSH_AUDIT_EXEC: {
        const csh_audit_field *program = field_of(event, "program");
        if (program == NULL || program->type != CSH_AUDIT_VALUE_STRING) break;
        const csh_field command = {text("command"), program->value.string};
        log_line(stream, "ACTIVITY_LOG_PROGRAM", "program started", &command, 1);
        break;
    }
    case CSH_AUDIT_EXIT: {
        const csh_audit_field *status = field_of(event, "exitStatus");
        if (status == NULL || status->type != CSH_AUDIT_VALUE_UINT) break;
        char digits[24];
        snprintf(digits, sizeof digits, "%" PRIu64, status->value.uint_value);
        const csh_field exit_status = {text("exitStatus"), text(digits)};
        log_line(stream, "ACTIVITY_LOG_EXIT", "program ended", &exit_status, 1);
        break;
    }
    case CSH_AUDIT_DISCONNECT:
        log_line(stream, "ACTIVITY_LOG_DISCONNECT", "connection ended", NULL, 0);
        break;
    default:
        break; /* the other events are not activity this log keeps */
    }
}

static void stream_close(csh_audit_stream *stream) { free(stream); }

static const csh_audit_interface audit_interface = {
    sizeof(csh_audit_interface), 0, stream_open, stream_event, stream_close,
    NULL, /* flush: nothing is buffered, so nothing to finish at stop */
};

static const void *activity_get_interface(csh_plugin_instance *instance, const char *interface_id) {
    (void)instance;
    return strcmp(interface_id, CSH_AUDIT_INTERFACE_ID) == 0 ? &audit_interface : NULL;
}

static const char *const provides[] = {"audit/activity-log"};

static const csh_plugin_descriptor descriptor = {
    CSH_PLUGIN_MAGIC,
    sizeof(csh_plugin_descriptor),
    CSH_ABI_MAJOR,
    CSH_ABI_MINOR,
    0, /* min_host_minor: uses nothing newer than ABI 1.0 (flush is left NULL) */
    0,
    "org.example.audit.activity-log",
    "Activity log",
    "1.0.0",
    "Writes logins, programs, exit statuses and disconnects into the gateway's log.",
    provides,
    sizeof provides / sizeof provides[0],
    codes,
    sizeof codes / sizeof codes[0],
    activity_init,
    activity_deinit,
    activity_get_interface,
};

ACTIVITY_LOG_EXPORT const csh_plugin_descriptor *containerssh_plugin_entry(void) { return &descriptor; }
