// The plugin's message codes (namespace audit_s3::codes) and its code table
// (audit_s3::kMessageTable).
#pragma once

#define CSH_MESSAGES_FILE "messages.def"
#define CSH_MESSAGES_SHARED_FILE "csh/webhook/messages.def"
#define CSH_MESSAGES_NAMESPACE audit_s3
#include <containerssh/sdk/declare_messages.inc>
