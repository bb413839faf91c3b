// The plugin's message codes (namespace auth_http::codes) and its code table
// (auth_http::kMessageTable), which also carries the webhook client's
// HTTP_CLIENT_* codes so the host knows them when this plugin logs them.
#pragma once

#define CSH_MESSAGES_FILE "messages.def"
#define CSH_MESSAGES_SHARED_FILE "csh/webhook/messages.def"
#define CSH_MESSAGES_NAMESPACE auth_http
#include <containerssh/sdk/declare_messages.inc>
