// The core's message codes, generated from core/messages.def (the one source
// of truth) through an X-macro: a constant per code for call sites, and the
// table the registry loads at start-up.
#pragma once

#include <cstddef>

#include <containerssh/plugin/plugin.h>

namespace csh::codes {
// csh::codes::SSH_CONNECTED == "SSH_CONNECTED": a typo in a call site is a
// compile error instead of an UNKNOWN_ERROR line at run time.
#define CSH_MESSAGE(CODE, LEVEL, MODULE, EXPLANATION) inline constexpr char CODE[] = #CODE;
#include "../../messages.def"
#undef CSH_MESSAGE
}  // namespace csh::codes

namespace csh::log {

// The core's table in the ABI's shape, so it is registered exactly like a
// plugin's table. Entries are in messages.def order and live forever.
const csh_message_code* core_message_codes();
std::size_t core_message_code_count();

// The module (the MODULE column) of entry `index` of core_message_codes();
// nullptr when index is out of range.
const char* core_message_module(std::size_t index);

}  // namespace csh::log
