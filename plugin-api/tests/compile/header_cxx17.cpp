// The whole ABI as strict ISO C++17 (-std=c++17 -pedantic -Werror): the SDK and
// the host include it from C++.
#include <containerssh/plugin.h>

#include <type_traits>

#include "layout_facts.h"
#include "layout_probe.h"

// The host copies and memcpy-reads these across the boundary; C++ must see
// them as plain C structs.
#define CSH_ASSERT_PLAIN(type)                                                          \
    static_assert(std::is_standard_layout_v<type> && std::is_trivially_copyable_v<type>, \
                  #type " must stay a plain C struct");
CSH_ASSERT_PLAIN(csh_plugin_descriptor)
CSH_ASSERT_PLAIN(csh_host)
CSH_ASSERT_PLAIN(csh_str)
CSH_ASSERT_PLAIN(csh_bytes)
CSH_ASSERT_PLAIN(csh_field)
CSH_ASSERT_PLAIN(csh_metadata_entry)
CSH_ASSERT_PLAIN(csh_message_code)
CSH_ASSERT_PLAIN(csh_kbdint_question)
CSH_ASSERT_PLAIN(csh_audit_field)
CSH_ASSERT_PLAIN(csh_metric_sample)
CSH_ASSERT_PLAIN(csh_histogram_sample)
CSH_ASSERT_PLAIN(csh_auth_interface)
CSH_ASSERT_PLAIN(csh_config_interface)
CSH_ASSERT_PLAIN(csh_backend_interface)
CSH_ASSERT_PLAIN(csh_audit_interface)
CSH_ASSERT_PLAIN(csh_metrics_interface)

extern "C" const size_t* csh_layout_seen_by_cxx17(size_t* count) {
    static const size_t values[] = {CSH_LAYOUT_VALUES};
    *count = sizeof values / sizeof values[0];
    return values;
}
