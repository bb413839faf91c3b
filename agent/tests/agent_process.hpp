// Starts the agent binary under test as a child process with pipes on
// stdin/stdout/stderr, feeds stdin and collects everything it writes.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace csh::agent::test {

// Path of the static agent binary this build produced.
const char* agent_binary();

// How the finished agent ended and what it wrote.
struct AgentResult {
    int status = 0;  // raw waitpid status
    std::string out;
    std::string err;

    bool exited() const;
    int exit_code() const;  // -1 when it did not exit normally
    int killed_by() const;  // the signal that ended it, 0 when it exited
};

struct AgentOptions {
    // Environment of the agent; the test's own environment when empty.
    std::vector<std::string> env;
    // stdout is a pipe whose reader is already gone (writes fail with EPIPE).
    bool stdout_without_reader = false;
    // Runs in the child right before execve (after the pipes are in place).
    std::function<void()> before_exec;
};

class RunningAgent {
public:
    RunningAgent(const std::vector<std::string>& args, const AgentOptions& options = {});
    ~RunningAgent();
    RunningAgent(const RunningAgent&) = delete;
    RunningAgent& operator=(const RunningAgent&) = delete;

    pid_t pid() const { return pid_; }
    // Writes `data` to stdin, then closes it; while writing, collects output so
    // a large input cannot deadlock against a full stdout pipe.
    void feed_and_close_stdin(std::string_view data);
    // True while the process has not been collected by finish().
    bool running() const { return pid_ > 0; }
    // Closes stdin if still open, reads stdout/stderr to the end and waits.
    AgentResult finish();

private:
    void pump(bool until_eof, std::string_view* pending_stdin);

    pid_t pid_ = -1;
    int stdin_fd_ = -1;
    int stdout_fd_ = -1;
    int stderr_fd_ = -1;
    AgentResult result_;
};

// Starts, feeds `stdin_data`, closes stdin and waits for the end.
AgentResult run_agent(const std::vector<std::string>& args, std::string_view stdin_data = {},
                      const AgentOptions& options = {});

// The 4 bytes of a little-endian uint32, as console --pid writes them.
std::string little_endian_bytes(std::uint32_t value);

// Forks a child that runs `body` and then _exit(0)s; the child starts with
// default signal dispositions and an empty signal mask.
pid_t fork_child(const std::function<void()>& body);

struct SpawnOptions {
    // Environment entries, NAME=VALUE; the first of two equal names wins.
    std::vector<std::string> env;
    // Appends the test's own environment after `env` (so `env` overrides it).
    bool inherit_environment = false;
    // stdout is a pipe whose reader is already gone (writes fail with EPIPE).
    bool stdout_without_reader = false;
    // Which of the test's ends are O_NONBLOCK (each caller says why it wants
    // the one it sets); the others block.
    bool nonblocking_stdin = false;
    bool nonblocking_stderr = false;
    // Runs in the child right before execve (after the pipes are in place).
    std::function<void()> before_exec;
};

// A child spawned with pipes on its stdin/stdout/stderr; the fds are the
// test's ends (stdout_fd is -1 with stdout_without_reader).
struct SpawnedChild {
    pid_t pid = -1;
    int stdin_fd = -1;
    int stdout_fd = -1;
    int stderr_fd = -1;
};

// Execs argv[0] (a path, not searched) in a child made by fork_child, so it
// starts with default signal handling like a process a container engine
// starts. The caller owns the fds and must reap the pid.
SpawnedChild spawn_with_pipes(const std::vector<std::string>& argv, const SpawnOptions& options = {});

}  // namespace csh::agent::test
