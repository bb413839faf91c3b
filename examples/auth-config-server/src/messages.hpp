// The example server's message codes, expanded from messages.def (the one
// place a code is defined):
//   - example_server::codes::NAME, one Message per code, which the logger
//     takes, so logging with a misspelt code does not compile, and neither
//     does a code defined twice;
//   - example_server::kMessages, every code in file order, for --list-codes.
#pragma once

namespace example_server {

// The module every line of this program carries.
inline constexpr char kLogModule[] = "auth-config-server";

// Syslog severities, most severe first; the names are the LEVEL column of
// messages.def.
enum class Level { EMERGENCY, ALERT, CRITICAL, ERROR, WARNING, NOTICE, INFO, DEBUG };

struct Message {
    const char* code;
    Level level;
    const char* explanation;
};

namespace codes {
#define CSH_MESSAGE(CODE, LEVEL, EXPLANATION) inline constexpr Message CODE{#CODE, Level::LEVEL, EXPLANATION};
#include "messages.def"
#undef CSH_MESSAGE
}  // namespace codes

inline constexpr Message kMessages[] = {
#define CSH_MESSAGE(CODE, LEVEL, EXPLANATION) codes::CODE,
#include "messages.def"
#undef CSH_MESSAGE
};

}  // namespace example_server
