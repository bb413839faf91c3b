// The plugin's message codes, generated from ../messages.def.
#pragma once

#include <containerssh/sdk/messages.hpp>

namespace auth_static::codes {
#define CSH_MESSAGE CSH_SDK_MESSAGE_CONSTANT
#include "messages.def"
#undef CSH_MESSAGE
}  // namespace auth_static::codes

namespace auth_static {
inline constexpr csh_message_code kMessageTable[] = {
#define CSH_MESSAGE CSH_SDK_MESSAGE_ENTRY
#include "messages.def"
#undef CSH_MESSAGE
};
}  // namespace auth_static
