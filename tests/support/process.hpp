// Runs a program with its stdin, stdout and stderr connected to the test,
// for driving real peers (OpenSSH's ssh, the containerssh binary).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace csh::test {

struct RunResult {
    int exit_code = -1;    // exit status, or 128+signal
    std::string out;
    std::string err;
    bool timed_out = false;
};

// Runs argv[0] (searched in PATH) to completion, feeding `input` then EOF.
// Kills it after `timeout` and says so in timed_out.
RunResult run(const std::vector<std::string>& argv, const std::string& input = "",
              const std::map<std::string, std::string>& env = {},
              std::chrono::milliseconds timeout = std::chrono::seconds(30));

// A long-running child whose stdout is read line by line. Its stderr goes to
// `stderr_file` when one is given, else to the test's own stderr.
class Child {
public:
    Child(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {},
          const std::string& stderr_file = {});
    ~Child();  // SIGKILL if still running
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    pid_t pid() const { return pid_; }
    // Reads the next stdout line; false on EOF or timeout.
    bool read_line(std::string& line, std::chrono::milliseconds timeout);
    // Sends a signal and waits for the exit; returns the exit code (128+sig
    // when killed), or -1 when it had to be killed after `timeout`.
    int stop(int signal, std::chrono::milliseconds timeout);
    // The exit code when the child has ended (reaping it), else nullopt.
    std::optional<int> exited();
    // The child's stdin, for tests that drive it interactively (-1 if closed).
    int stdin_fd() const { return stdin_fd_; }
    void close_stdin();

private:
    pid_t pid_ = -1;
    int stdout_fd_ = -1;
    int stdin_fd_ = -1;
    std::string buffer_;
    int exit_code_ = -1;
};

// Extra environment merged over the current one.
std::vector<std::string> make_env(const std::map<std::string, std::string>& extra);

}  // namespace csh::test
