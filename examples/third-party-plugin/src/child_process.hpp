// Starting a session's program as a child process, with either a pseudo
// terminal or three pipes, and non-blocking parent ends.
#pragma once

#include "unique_fd.hpp"

#include <containerssh/sdk/backend.hpp>

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace backend_local {

struct SpawnSpec {
    std::vector<std::string> argv;  // argv[0] is an absolute path
    std::vector<std::string> env;   // "NAME=value"
    std::string workdir;
    // Set: the child gets a new pty as its controlling terminal.
    std::optional<csh::sdk::WindowSize> terminal;
};

struct SpawnedChild {
    pid_t pid = -1;
    // Pipe mode: stdin (write end), stdout and stderr (read ends).
    // Terminal mode: `output` is the pty master, used for input too.
    UniqueFd input;
    UniqueFd output;
    UniqueFd error_output;
    // Readable once the child ran execve (EOF) or failed before it (an int
    // errno arrives, then EOF).
    UniqueFd exec_report;
};

// Forks and starts the program; the child is the leader of a new session and
// process group. Throws std::system_error when the fork or the fds fail;
// problems in the child (workdir, execve) come through exec_report.
SpawnedChild spawn_child(const SpawnSpec& spec);

// Sets the window size of a pty master.
bool set_terminal_size(int master_fd, const csh::sdk::WindowSize& size);

// write(2) that reports a reader-less pipe as EPIPE without raising SIGPIPE
// in the gateway, whatever its signal setup.
ssize_t write_without_sigpipe(int fd, const void* data, size_t size);

}  // namespace backend_local
