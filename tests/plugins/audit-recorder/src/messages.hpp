// The plugin's message codes (namespace audit_recorder::codes) and code table
// (audit_recorder::kMessageTable), expanded from ../messages.def by the SDK.
#pragma once

#define CSH_MESSAGES_FILE "messages.def"
#define CSH_MESSAGES_NAMESPACE audit_recorder
#include <containerssh/sdk/declare_messages.inc>
