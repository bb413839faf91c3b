// The webhook client's HTTP_CLIENT_* codes as constants
// (csh::webhook::codes::HTTP_CLIENT_REQUEST, ...) and as a table
// (csh::webhook::kMessageTable). A plugin linking the library registers the
// codes by appending "csh/webhook/messages.def" to its own table with
// CSH_MESSAGES_SHARED_FILE (see declare_messages.inc).
#pragma once

#define CSH_MESSAGES_FILE "csh/webhook/messages.def"
#define CSH_MESSAGES_NAMESPACE csh::webhook
#include <containerssh/sdk/declare_messages.inc>
