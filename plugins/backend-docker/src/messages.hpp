// The Docker backend's message codes (namespace backend_docker::codes) and
// its code table (backend_docker::kMessageTable), from messages.def.
#pragma once

#define CSH_MESSAGES_FILE "messages.def"
#define CSH_MESSAGES_NAMESPACE backend_docker
#include <containerssh/sdk/declare_messages.inc>
