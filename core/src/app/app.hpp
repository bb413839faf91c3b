// The `containerssh` program: command line, start-up, serving, shut-down.
#pragma once

namespace csh::app {
// Returns the process exit code.
int run(int argc, const char* const* argv);
}
