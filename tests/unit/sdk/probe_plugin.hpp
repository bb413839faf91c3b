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

#include <containerssh/plugin.h>

// probe::codes and probe::kMessageTable, from probe_messages.def.
#define CSH_MESSAGES_FILE "probe_messages.def"
#define CSH_MESSAGES_NAMESPACE probe
#include <containerssh/sdk/declare_messages.inc>

extern "C" const csh_plugin_descriptor* containerssh_plugin_entry(void);
