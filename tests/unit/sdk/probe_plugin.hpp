// The probe: a plugin defined in the test through the SDK (auth and config
// in one class), whose behaviour the user name selects:
//   "throw"        password() throws std::runtime_error
//   "throw-coded"  password() throws csh::sdk::Error(PROBE_REFUSED_LOUDLY)
//   "forget"       password() drops its completion
//   "twice"        password() completes twice
//   "later"        password() completes from a posted task
//   anything else  success, with one metadata item
// keyboard_interactive asks one question ("42" logs in); metrics start()
// throws when the config section "probe" holds "failStart".
// Its config section "probe" set to {"failInit": true} makes init throw.
#pragma once

#include <containerssh/sdk/messages.hpp>

namespace probe::codes {
#define CSH_MESSAGE CSH_SDK_MESSAGE_CONSTANT
#include "probe_messages.def"
#undef CSH_MESSAGE
}  // namespace probe::codes

namespace probe {
inline constexpr csh_message_code kMessageTable[] = {
#define CSH_MESSAGE CSH_SDK_MESSAGE_ENTRY
#include "probe_messages.def"
#undef CSH_MESSAGE
};
}  // namespace probe

extern "C" const csh_plugin_descriptor* containerssh_plugin_entry(void);
