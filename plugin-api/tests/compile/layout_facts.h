/*
 * The layout facts of plugin ABI 1 that may never change, as X-macro lists, and
 * the compile-time asserts of them. Included by the C11 and the C++17 compile
 * tests (each compiler checks them itself) and by the test that compares what
 * both compilers saw.
 */
#ifndef CSH_TESTS_LAYOUT_FACTS_H
#define CSH_TESTS_LAYOUT_FACTS_H

#include <containerssh/plugin.h>

#include <stddef.h>

#ifdef __cplusplus
#define CSH_STATIC_ASSERT(condition, message) static_assert(condition, message)
#else
#define CSH_STATIC_ASSERT(condition, message) _Static_assert(condition, message)
#endif

/*
 * X(type, member, offset). The descriptor's frozen prefix: a host of any
 * version reads these five fields of a plugin of any version. Fixed-width
 * fields only, so the offsets hold on every ABI.
 */
#define CSH_FROZEN_PREFIX_OFFSETS(X)                \
    X(csh_plugin_descriptor, magic, 0)             \
    X(csh_plugin_descriptor, struct_size, 4)       \
    X(csh_plugin_descriptor, abi_major, 8)         \
    X(csh_plugin_descriptor, abi_minor, 10)        \
    X(csh_plugin_descriptor, min_host_minor, 12)

/*
 * Offsets and sizes that hold on LP64 targets with natural alignment (x86_64,
 * and aarch64 whose C layout rules give the same numbers). Other ABIs get the
 * prefix asserts only.
 */
#if defined(__LP64__) && (defined(__x86_64__) || defined(__aarch64__))
#define CSH_LAYOUT_LP64 1

/* X(type, member, offset): the ABI 1.0 fields of the descriptor and every
 * field of the frozen array element types. */
#define CSH_LP64_OFFSETS(X)                              \
    X(csh_plugin_descriptor, id, 16)                     \
    X(csh_plugin_descriptor, name, 24)                   \
    X(csh_plugin_descriptor, version, 32)                \
    X(csh_plugin_descriptor, description, 40)            \
    X(csh_plugin_descriptor, provides, 48)               \
    X(csh_plugin_descriptor, provides_count, 56)         \
    X(csh_plugin_descriptor, message_codes, 64)          \
    X(csh_plugin_descriptor, message_code_count, 72)     \
    X(csh_plugin_descriptor, init, 80)                   \
    X(csh_plugin_descriptor, deinit, 88)                 \
    X(csh_plugin_descriptor, get_interface, 96)          \
    X(csh_str, data, 0)                                  \
    X(csh_str, size, 8)                                  \
    X(csh_bytes, data, 0)                                \
    X(csh_bytes, size, 8)                                \
    X(csh_field, key, 0)                                 \
    X(csh_field, value, 16)                              \
    X(csh_metadata_entry, kind, 0)                       \
    X(csh_metadata_entry, sensitive, 4)                  \
    X(csh_metadata_entry, key, 8)                        \
    X(csh_metadata_entry, value, 24)                     \
    X(csh_message_code, code, 0)                         \
    X(csh_message_code, level, 8)                        \
    X(csh_message_code, explanation, 16)                 \
    X(csh_kbdint_question, text, 0)                      \
    X(csh_kbdint_question, echo, 16)                     \
    X(csh_kbdint_question, reserved0, 20)                \
    X(csh_audit_field, key, 0)                           \
    X(csh_audit_field, type, 16)                         \
    X(csh_audit_field, reserved0, 20)                    \
    X(csh_audit_field, value, 24)                        \
    X(csh_metric_sample, name, 0)                        \
    X(csh_metric_sample, help, 8)                        \
    X(csh_metric_sample, unit, 16)                       \
    X(csh_metric_sample, type, 24)                       \
    X(csh_metric_sample, reserved0, 28)                  \
    X(csh_metric_sample, labels, 32)                     \
    X(csh_metric_sample, label_count, 40)                \
    X(csh_metric_sample, value, 48)

/* X(type, member, offset): every field of every table, service, result and
 * completion of ABI 1.0 to 1.2, written down once as numbers (never computed
 * from the headers), so that a field moved or resized by accident fails the
 * build. A later minor appends rows; no row ever changes. */
#define CSH_LP64_TABLE_OFFSETS(X) \
    X(csh_host, struct_size, 0) \
    X(csh_host, abi_major, 4) \
    X(csh_host, abi_minor, 6) \
    X(csh_host, host_data, 8) \
    X(csh_host, get_service, 16) \
    X(csh_log_service, struct_size, 0) \
    X(csh_log_service, log, 8) \
    X(csh_log_service, enabled, 16) \
    X(csh_config_service, struct_size, 0) \
    X(csh_config_service, section, 8) \
    X(csh_loop_service, struct_size, 0) \
    X(csh_loop_service, strand_create, 8) \
    X(csh_loop_service, strand_destroy, 16) \
    X(csh_loop_service, post, 24) \
    X(csh_loop_service, timer_start, 32) \
    X(csh_loop_service, timer_cancel, 40) \
    X(csh_loop_service, fd_watch_start, 48) \
    X(csh_loop_service, fd_watch_update, 56) \
    X(csh_loop_service, fd_watch_stop, 64) \
    X(csh_metrics_service, struct_size, 0) \
    X(csh_metrics_service, define, 8) \
    X(csh_metrics_service, add, 16) \
    X(csh_metrics_service, set, 24) \
    X(csh_metrics_service, collect, 32) \
    X(csh_metrics_service, define_histogram, 40) \
    X(csh_metrics_service, observe, 48) \
    X(csh_metrics_service, collect_histograms, 56) \
    X(csh_histogram_sample, struct_size, 0) \
    X(csh_histogram_sample, name, 8) \
    X(csh_histogram_sample, help, 16) \
    X(csh_histogram_sample, unit, 24) \
    X(csh_histogram_sample, labels, 32) \
    X(csh_histogram_sample, label_count, 40) \
    X(csh_histogram_sample, bounds, 48) \
    X(csh_histogram_sample, bucket_counts, 56) \
    X(csh_histogram_sample, bound_count, 64) \
    X(csh_histogram_sample, sum, 72) \
    X(csh_histogram_sample, count, 80) \
    X(csh_audit_service, struct_size, 0) \
    X(csh_audit_service, emit, 8) \
    X(csh_connection_info, struct_size, 0) \
    X(csh_connection_info, connection_id, 8) \
    X(csh_connection_info, remote_address, 24) \
    X(csh_connection_info, client_version, 40) \
    X(csh_connection_info, username, 56) \
    X(csh_connection_info, authenticated_username, 72) \
    X(csh_connection_info, metadata, 88) \
    X(csh_connection_info, strand, 104) \
    X(csh_connection_info, connection, 112) \
    X(csh_connection_info, country, 120) \
    X(csh_status_completion, complete, 0) \
    X(csh_status_completion, context, 8) \
    X(csh_auth_result, struct_size, 0) \
    X(csh_auth_result, outcome, 4) \
    X(csh_auth_result, authenticated_username, 8) \
    X(csh_auth_result, metadata, 24) \
    X(csh_auth_result, reason, 40) \
    X(csh_auth_completion, complete, 0) \
    X(csh_auth_completion, context, 8) \
    X(csh_kbdint_prompt, ask, 0) \
    X(csh_kbdint_prompt, context, 8) \
    X(csh_auth_interface, struct_size, 0) \
    X(csh_auth_interface, methods, 4) \
    X(csh_auth_interface, password, 8) \
    X(csh_auth_interface, public_key, 16) \
    X(csh_auth_interface, keyboard_interactive, 24) \
    X(csh_auth_interface, authorize, 32) \
    X(csh_auth_interface, connection_closed, 40) \
    X(csh_config_result, struct_size, 0) \
    X(csh_config_result, status, 4) \
    X(csh_config_result, config_json, 8) \
    X(csh_config_result, metadata, 24) \
    X(csh_config_result, authenticated_username, 40) \
    X(csh_config_result, reason, 56) \
    X(csh_config_completion, complete, 0) \
    X(csh_config_completion, context, 8) \
    X(csh_config_interface, struct_size, 0) \
    X(csh_config_interface, connection_config, 8) \
    X(csh_session_host_api, struct_size, 0) \
    X(csh_session_host_api, write_output, 8) \
    X(csh_session_host_api, stdin_ready, 16) \
    X(csh_session_host_api, exit_status, 24) \
    X(csh_session_host_api, exit_signal, 32) \
    X(csh_session_host_api, finished, 40) \
    X(csh_session_host_api, refuse_open, 48) \
    X(csh_backend_open_result, struct_size, 0) \
    X(csh_backend_open_result, status, 4) \
    X(csh_backend_open_result, connection, 8) \
    X(csh_backend_open_result, reason, 16) \
    X(csh_backend_open_result, user_message, 32) \
    X(csh_backend_open_completion, complete, 0) \
    X(csh_backend_open_completion, context, 8) \
    X(csh_session_params, struct_size, 0) \
    X(csh_session_params, channel_id, 8) \
    X(csh_session_params, strand, 16) \
    X(csh_session_params, host, 24) \
    X(csh_session_params, api, 32) \
    X(csh_pty_request, struct_size, 0) \
    X(csh_pty_request, columns, 4) \
    X(csh_pty_request, rows, 8) \
    X(csh_pty_request, width_px, 12) \
    X(csh_pty_request, height_px, 16) \
    X(csh_pty_request, term, 24) \
    X(csh_pty_request, modes, 40) \
    X(csh_window_size, struct_size, 0) \
    X(csh_window_size, columns, 4) \
    X(csh_window_size, rows, 8) \
    X(csh_window_size, width_px, 12) \
    X(csh_window_size, height_px, 16) \
    X(csh_backend_interface, struct_size, 0) \
    X(csh_backend_interface, connection_open, 8) \
    X(csh_backend_interface, connection_close, 16) \
    X(csh_backend_interface, session_open, 24) \
    X(csh_backend_interface, session_env, 32) \
    X(csh_backend_interface, session_pty, 40) \
    X(csh_backend_interface, session_exec, 48) \
    X(csh_backend_interface, session_shell, 56) \
    X(csh_backend_interface, session_subsystem, 64) \
    X(csh_backend_interface, session_window_change, 72) \
    X(csh_backend_interface, session_signal, 80) \
    X(csh_backend_interface, session_stdin, 88) \
    X(csh_backend_interface, session_stdin_eof, 96) \
    X(csh_backend_interface, session_output_ready, 104) \
    X(csh_backend_interface, session_close, 112) \
    X(csh_backend_interface, forward_open, 120) \
    X(csh_backend_interface, forward_data, 128) \
    X(csh_backend_interface, forward_eof, 136) \
    X(csh_backend_interface, forward_output_ready, 144) \
    X(csh_backend_interface, forward_close, 152) \
    X(csh_backend_interface, listen_start, 160) \
    X(csh_backend_interface, listen_stop, 168) \
    X(csh_audit_event, struct_size, 0) \
    X(csh_audit_event, type, 4) \
    X(csh_audit_event, timestamp_ns, 8) \
    X(csh_audit_event, channel_id, 16) \
    X(csh_audit_event, connection_id, 24) \
    X(csh_audit_event, payload, 40) \
    X(csh_audit_event, payload_count, 48) \
    X(csh_audit_interface, struct_size, 0) \
    X(csh_audit_interface, stream_open, 8) \
    X(csh_audit_interface, stream_event, 16) \
    X(csh_audit_interface, stream_close, 24) \
    X(csh_audit_interface, flush, 32) \
    X(csh_metrics_interface, struct_size, 0) \
    X(csh_metrics_interface, start, 8) \
    X(csh_metrics_interface, stop, 16) \
    X(csh_metadata, entries, 0) \
    X(csh_metadata, count, 8)

/* X(constant, value): the ABI 1.0 end of each growable struct (the smallest
 * struct_size a reader accepts), as the headers' CSH_*_V1_END constants that
 * the core's loader and the SDK both probe with. */
#define CSH_LP64_V1_ENDS(X) \
    X(CSH_PLUGIN_DESCRIPTOR_V1_END, 104) \
    X(CSH_HOST_V1_END, 24) \
    X(CSH_LOG_SERVICE_V1_END, 24) \
    X(CSH_CONFIG_SERVICE_V1_END, 16) \
    X(CSH_LOOP_SERVICE_V1_END, 72) \
    X(CSH_METRICS_SERVICE_V1_END, 40) \
    X(CSH_AUDIT_SERVICE_V1_END, 16) \
    X(CSH_CONNECTION_INFO_V1_END, 136) \
    X(CSH_AUTH_INTERFACE_V1_END, 48) \
    X(CSH_AUTH_RESULT_V1_END, 56) \
    X(CSH_CONFIG_INTERFACE_V1_END, 16) \
    X(CSH_CONFIG_RESULT_V1_END, 72) \
    X(CSH_SESSION_HOST_API_V1_END, 48) \
    X(CSH_BACKEND_OPEN_RESULT_V1_END, 48) \
    X(CSH_BACKEND_INTERFACE_V1_END, 120) \
    X(CSH_AUDIT_INTERFACE_V1_END, 32) \
    X(CSH_METRICS_INTERFACE_V1_END, 24)

/* X(type, size): the frozen array element types never grow, so their size is
 * part of the ABI (arrays of them are indexed by the other side). The
 * descriptor is not listed: it grows at its end (its ABI 1.0 end is fixed by
 * the offset of get_interface above). */
#define CSH_LP64_SIZES(X)             \
    X(csh_str, 16)                    \
    X(csh_bytes, 16)                  \
    X(csh_field, 32)                  \
    X(csh_metadata_entry, 40)         \
    X(csh_message_code, 24)           \
    X(csh_kbdint_question, 24)        \
    X(csh_audit_field, 40)            \
    X(csh_metric_sample, 56)

#else
#define CSH_LP64_OFFSETS(X)
#define CSH_LP64_TABLE_OFFSETS(X)
#define CSH_LP64_V1_ENDS(X)
#define CSH_LP64_SIZES(X)
#endif

#define CSH_ASSERT_OFFSET(type, member, offset) \
    CSH_STATIC_ASSERT(offsetof(type, member) == (offset), #type "." #member " must be at offset " #offset);
#define CSH_ASSERT_SIZE(type, size) CSH_STATIC_ASSERT(sizeof(type) == (size), "sizeof(" #type ") must be " #size);
#define CSH_ASSERT_END(constant, value) CSH_STATIC_ASSERT((constant) == (value), #constant " must be " #value);

CSH_FROZEN_PREFIX_OFFSETS(CSH_ASSERT_OFFSET)
CSH_LP64_OFFSETS(CSH_ASSERT_OFFSET)
CSH_LP64_TABLE_OFFSETS(CSH_ASSERT_OFFSET)
CSH_LP64_V1_ENDS(CSH_ASSERT_END)
CSH_LP64_SIZES(CSH_ASSERT_SIZE)

/* The same facts as data, in one fixed order: offsets, table offsets, 1.0
 * ends, then sizes. */
#define CSH_OFFSET_VALUE(type, member, offset) offsetof(type, member),
#define CSH_END_VALUE(constant, value) (size_t)(constant),
#define CSH_SIZE_VALUE(type, size) sizeof(type),
#define CSH_LAYOUT_VALUES                                                                           \
    CSH_FROZEN_PREFIX_OFFSETS(CSH_OFFSET_VALUE) CSH_LP64_OFFSETS(CSH_OFFSET_VALUE)                  \
    CSH_LP64_TABLE_OFFSETS(CSH_OFFSET_VALUE) CSH_LP64_V1_ENDS(CSH_END_VALUE) CSH_LP64_SIZES(CSH_SIZE_VALUE)

#endif /* CSH_TESTS_LAYOUT_FACTS_H */
