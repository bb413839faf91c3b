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
#define CSH_LP64_SIZES(X)
#endif

#define CSH_ASSERT_OFFSET(type, member, offset) \
    CSH_STATIC_ASSERT(offsetof(type, member) == (offset), #type "." #member " must be at offset " #offset);
#define CSH_ASSERT_SIZE(type, size) CSH_STATIC_ASSERT(sizeof(type) == (size), "sizeof(" #type ") must be " #size);

CSH_FROZEN_PREFIX_OFFSETS(CSH_ASSERT_OFFSET)
CSH_LP64_OFFSETS(CSH_ASSERT_OFFSET)
CSH_LP64_SIZES(CSH_ASSERT_SIZE)

/* The same facts as data, in one fixed order: offsets, then sizes. */
#define CSH_OFFSET_VALUE(type, member, offset) offsetof(type, member),
#define CSH_SIZE_VALUE(type, size) sizeof(type),
#define CSH_LAYOUT_VALUES \
    CSH_FROZEN_PREFIX_OFFSETS(CSH_OFFSET_VALUE) CSH_LP64_OFFSETS(CSH_OFFSET_VALUE) CSH_LP64_SIZES(CSH_SIZE_VALUE)

#endif /* CSH_TESTS_LAYOUT_FACTS_H */
