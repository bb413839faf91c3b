// One entry point per mode. Each receives the arguments after the mode name
// (a null-terminated argv tail) and returns the process exit code; console
// does not return at all when it succeeds.
#pragma once

namespace csh::agent {

int run_console(char** args);
int run_signal(char** args);
int run_wait_signal(char** args);
int run_write_file(char** args);
int run_forward_server(char** args);

}  // namespace csh::agent
