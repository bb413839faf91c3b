// Message codes: a plugin keeps its whole code table in one file,
// `messages.def`, one line per code:
//
//     CSH_MESSAGE(MYPLUGIN_SOMETHING_FAILED, ERROR, "What happened and what to do.")
//
// LEVEL is the suffix of a CSH_LOG_* constant (DEBUG, INFO, NOTICE, WARNING,
// ERROR, CRITICAL, ALERT, EMERGENCY). A plugin expands it with
// <containerssh/sdk/declare_messages.inc>, which uses the two macros below:
// CSH_SDK_MESSAGE_CONSTANT makes one `inline constexpr char NAME[] = "NAME";`
// per code, so code that logs with `codes::NAME` does not compile when the
// name is misspelt; CSH_SDK_MESSAGE_ENTRY makes one entry of the table the
// descriptor hands to the host.
#pragma once

#include <containerssh/plugin.h>

#include <cstddef>

#define CSH_SDK_MESSAGE_CONSTANT(CODE, LEVEL, EXPLANATION) inline constexpr char CODE[] = #CODE;
#define CSH_SDK_MESSAGE_ENTRY(CODE, LEVEL, EXPLANATION) csh_message_code{#CODE, CSH_LOG_##LEVEL, EXPLANATION},

namespace csh::sdk::detail {

// The code the SDK itself logs with (caught exceptions, forgotten or repeated
// completions): the first code of the table whose level is ERROR; failing
// that the first more severe one, failing that the first code. A plugin puts
// its generic internal-error code first among its ERROR codes.
constexpr const char* internal_error_code(const csh_message_code* table, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
        if (table[i].level == CSH_LOG_ERROR) return table[i].code;
    }
    for (std::size_t i = 0; i < count; ++i) {
        if (table[i].level < CSH_LOG_ERROR) return table[i].code;
    }
    return count > 0 ? table[0].code : nullptr;
}

}  // namespace csh::sdk::detail
