/*
 * The whole ABI as strict ISO C11 (-std=c11 -pedantic -Werror): a plugin
 * written in C must be able to include it with no extension.
 */
#include <containerssh/plugin.h>

#include "layout_facts.h"
#include "layout_probe.h"

/* The entry point's type is usable as declared. */
static const csh_plugin_descriptor *no_plugin(void) { return NULL; }
static const csh_plugin_entry_fn entry_type_check = no_plugin;

const size_t *csh_layout_seen_by_c11(size_t *count) {
    static const size_t values[] = {CSH_LAYOUT_VALUES};
    (void)entry_type_check;
    *count = sizeof values / sizeof values[0];
    return values;
}
