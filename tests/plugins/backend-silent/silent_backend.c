/*
 * backend-silent (test plugin, plain C on the raw ABI): a backend that
 * breaks the ABI in one way. It opens connections and sessions, but never
 * answers an exec, shell or subsystem request before the session ends. The
 * gateway must drop those requests when the connection ends, log
 * CORE_PLUGIN_MISBEHAVING, free the connection, and keep serving others.
 *
 * The completions it kept are answered at deinit, late: the host must accept
 * and ignore them (and this frees what the host allocated for them, so a
 * sanitizer run sees no leak). Provides "backend/silent".
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <containerssh/plugin.h>

#define SILENT_EXPORT __attribute__((visibility("default")))

struct csh_backend_connection {
    int unused;
};

struct csh_backend_session {
    int unused;
};

/* Every completion never answered in time, across connections and threads. */
struct kept_completion {
    csh_status_completion done;
    struct kept_completion *next;
};
static pthread_mutex_t kept_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kept_completion *kept = NULL;

static void keep(csh_status_completion done) {
    struct kept_completion *entry = malloc(sizeof *entry);
    if (entry == NULL) abort(); /* a test plugin: no way to go on honestly */
    entry->done = done;
    pthread_mutex_lock(&kept_lock);
    entry->next = kept;
    kept = entry;
    pthread_mutex_unlock(&kept_lock);
}

static const csh_str reason_late = {"answered at deinit, after its connection ended", 46};

static csh_status silent_init(const csh_host *host, csh_plugin_instance **out_instance) {
    (void)host;
    *out_instance = NULL;
    return CSH_OK;
}

static void silent_deinit(csh_plugin_instance *instance) {
    (void)instance;
    pthread_mutex_lock(&kept_lock);
    struct kept_completion *entry = kept;
    kept = NULL;
    pthread_mutex_unlock(&kept_lock);
    while (entry != NULL) {
        struct kept_completion *next = entry->next;
        entry->done.complete(entry->done.context, CSH_FAILED, reason_late);
        free(entry);
        entry = next;
    }
}

static void connection_open(csh_plugin_instance *instance, const csh_connection_info *connection, csh_str config_json,
                            csh_backend_open_completion done) {
    (void)instance;
    (void)connection;
    (void)config_json;
    csh_backend_open_result result;
    memset(&result, 0, sizeof result);
    result.struct_size = sizeof result;
    result.connection = calloc(1, sizeof(csh_backend_connection));
    result.status = result.connection != NULL ? CSH_OK : CSH_FAILED;
    done.complete(done.context, &result);
}

static void connection_close(csh_backend_connection *connection, csh_status_completion done) {
    free(connection);
    done.complete(done.context, CSH_OK, (csh_str){"", 0});
}

static csh_status session_open(csh_backend_connection *connection, const csh_session_params *params,
                               csh_backend_session **out_session) {
    (void)connection;
    (void)params;
    *out_session = calloc(1, sizeof(csh_backend_session));
    return *out_session != NULL ? CSH_OK : CSH_FAILED;
}

/* The fault under test: the request is kept, not answered. */
static void session_exec(csh_backend_session *session, csh_str command, csh_status_completion done) {
    (void)session;
    (void)command;
    keep(done);
}

static void session_shell(csh_backend_session *session, csh_status_completion done) {
    (void)session;
    keep(done);
}

static size_t session_stdin(csh_backend_session *session, csh_bytes data) {
    (void)session;
    return data.size; /* nobody reads it */
}

static void session_noop(csh_backend_session *session) { (void)session; }

static void session_close(csh_backend_session *session) { free(session); }

static const csh_backend_interface backend = {
    .struct_size = sizeof(csh_backend_interface),
    .connection_open = connection_open,
    .connection_close = connection_close,
    .session_open = session_open,
    .session_exec = session_exec,
    .session_shell = session_shell,
    .session_stdin = session_stdin,
    .session_stdin_eof = session_noop,
    .session_output_ready = session_noop,
    .session_close = session_close,
};

static const void *silent_get_interface(csh_plugin_instance *instance, const char *interface_id) {
    (void)instance;
    return strcmp(interface_id, CSH_BACKEND_INTERFACE_ID) == 0 ? &backend : NULL;
}

static const char *const provides[] = {"backend/silent"};

static const csh_plugin_descriptor descriptor = {
    .magic = CSH_PLUGIN_MAGIC,
    .struct_size = sizeof(csh_plugin_descriptor),
    .abi_major = CSH_ABI_MAJOR,
    .abi_minor = CSH_ABI_MINOR,
    .min_host_minor = 2, /* leaves optional backend slots NULL */
    .id = "io.containerssh.test.backend.silent",
    .name = "silent backend (test)",
    .version = "0.0.1",
    .description = "Never answers program requests: tests the host's handling of a misbehaving plugin.",
    .provides = provides,
    .provides_count = 1,
    .init = silent_init,
    .deinit = silent_deinit,
    .get_interface = silent_get_interface,
};

SILENT_EXPORT const csh_plugin_descriptor *containerssh_plugin_entry(void);
const csh_plugin_descriptor *containerssh_plugin_entry(void) { return &descriptor; }
