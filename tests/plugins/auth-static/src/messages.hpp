// The plugin's message codes (namespace auth_static::codes) and code table
// (auth_static::kMessageTable), expanded from ../messages.def by the SDK.
#pragma once

#define CSH_MESSAGES_FILE "messages.def"
#define CSH_MESSAGES_NAMESPACE auth_static
#include <containerssh/sdk/declare_messages.inc>
