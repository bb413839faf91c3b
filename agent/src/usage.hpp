// The help text, shown by --help and after every command-line error.
#pragma once

#include <initializer_list>
#include <string_view>

namespace csh::agent {

void print_usage(int fd);

// Reports "Error: <parts...>" and the usage text on stderr (stdout may be the
// data stream of a session) and returns kExitUsage, for `return usage_error(...)`.
int usage_error(std::initializer_list<std::string_view> parts);

}  // namespace csh::agent
