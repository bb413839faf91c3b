// The plugin's message codes (namespace metrics_plugin::codes) and its code
// table (metrics_plugin::kMessageTable).
#pragma once

#define CSH_MESSAGES_FILE "messages.def"
#define CSH_MESSAGES_NAMESPACE metrics_plugin
#include <containerssh/sdk/declare_messages.inc>
