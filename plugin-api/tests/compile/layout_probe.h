/*
 * The layout values (CSH_LAYOUT_VALUES of layout_facts.h) as each compiler
 * computed them, so one test can check that C and C++ agree.
 */
#ifndef CSH_TESTS_LAYOUT_PROBE_H
#define CSH_TESTS_LAYOUT_PROBE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Values computed by the C11 compiler; sets *count. */
const size_t *csh_layout_seen_by_c11(size_t *count);
/** Values computed by the C++17 compiler; sets *count. */
const size_t *csh_layout_seen_by_cxx17(size_t *count);

#ifdef __cplusplus
}
#endif

#endif /* CSH_TESTS_LAYOUT_PROBE_H */
