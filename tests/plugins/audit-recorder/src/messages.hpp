// The plugin's message codes, generated from ../messages.def.
#pragma once

#include <containerssh/sdk/messages.hpp>

namespace audit_recorder::codes {
#define CSH_MESSAGE CSH_SDK_MESSAGE_CONSTANT
#include "messages.def"
#undef CSH_MESSAGE
}  // namespace audit_recorder::codes

namespace audit_recorder {
inline constexpr csh_message_code kMessageTable[] = {
#define CSH_MESSAGE CSH_SDK_MESSAGE_ENTRY
#include "messages.def"
#undef CSH_MESSAGE
};
}  // namespace audit_recorder
