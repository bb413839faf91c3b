// The Kubernetes backend's message codes (namespace backend_kubernetes::codes)
// and its code table (backend_kubernetes::kMessageTable), from messages.def.
#pragma once

#define CSH_MESSAGES_FILE "messages.def"
#define CSH_MESSAGES_NAMESPACE backend_kubernetes
#include <containerssh/sdk/declare_messages.inc>
