// The plugin's message codes (namespace backend_local::codes) and code table
// (backend_local::kMessageTable), expanded from ../messages.def by the SDK.
#pragma once

#define CSH_MESSAGES_FILE "messages.def"
#define CSH_MESSAGES_NAMESPACE backend_local
#include <containerssh/sdk/declare_messages.inc>
