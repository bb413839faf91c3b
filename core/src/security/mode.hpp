// What a security mode means (reference §2.11). ContainerSSH spells the
// modes "enable", "filter" and "disable"; an empty mode means "not set here".
#pragma once

#include <string_view>

namespace csh::security {

enum class Mode {
    enable,   // everything except the deny list
    filter,   // only the allow list
    disable,  // nothing
};

// An item's effective mode: its own mode, else defaultMode, else enable.
// Both texts passed the schema check ("", "enable", "filter", "disable").
Mode effective_mode(std::string_view item_mode, std::string_view default_mode);

// "enable", "filter" or "disable", for log lines and messages.
const char* mode_name(Mode mode);

}  // namespace csh::security
