#include "agent_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace csh::agent::test {

namespace {

[[noreturn]] void fail(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

void make_pipe(int fds[2]) {
    if (::pipe2(fds, O_CLOEXEC) != 0) fail("pipe2");
}

void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

// The test runner ignores SIGPIPE and Boost may install handlers; a child
// must start like a process spawned by a container engine would.
void reset_signals_in_child() {
    struct sigaction defaults {};
    defaults.sa_handler = SIG_DFL;
    ::sigemptyset(&defaults.sa_mask);
    for (int signal = 1; signal < NSIG; ++signal) ::sigaction(signal, &defaults, nullptr);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

// Appends what is available on `fd`; closes it at EOF.
void drain(int& fd, std::string& into) {
    char buffer[65536];
    const ssize_t got = ::read(fd, buffer, sizeof(buffer));
    if (got > 0) {
        into.append(buffer, static_cast<std::size_t>(got));
    } else if (got == 0 || errno != EINTR) {
        close_fd(fd);
    }
}

}  // namespace

const char* agent_binary() { return CSH_AGENT_BINARY; }

bool AgentResult::exited() const { return WIFEXITED(status); }
int AgentResult::exit_code() const { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }
int AgentResult::killed_by() const { return WIFSIGNALED(status) ? WTERMSIG(status) : 0; }

RunningAgent::RunningAgent(const std::vector<std::string>& args, const AgentOptions& options) {
    std::vector<std::string> argv{agent_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    SpawnOptions spawn;
    spawn.env = options.env;
    spawn.inherit_environment = options.env.empty();
    spawn.stdout_without_reader = options.stdout_without_reader;
    // pump() writes stdin only as far as poll says there is room.
    spawn.nonblocking_stdin = true;
    spawn.before_exec = options.before_exec;
    const SpawnedChild child = spawn_with_pipes(argv, spawn);
    pid_ = child.pid;
    stdin_fd_ = child.stdin_fd;
    stdout_fd_ = child.stdout_fd;
    stderr_fd_ = child.stderr_fd;
}

RunningAgent::~RunningAgent() {
    if (running()) {
        ::kill(pid_, SIGKILL);
        try {
            finish();
        } catch (...) {
            // Nothing to report from a destructor.
        }
    }
    close_fd(stdin_fd_);
    close_fd(stdout_fd_);
    close_fd(stderr_fd_);
}

void RunningAgent::pump(bool until_eof, std::string_view* pending_stdin) {
    for (;;) {
        const bool writing = pending_stdin != nullptr && !pending_stdin->empty() && stdin_fd_ >= 0;
        if (!writing && !until_eof) return;
        if (!writing && stdout_fd_ < 0 && stderr_fd_ < 0) return;
        pollfd fds[3] = {{stdout_fd_, POLLIN, 0}, {stderr_fd_, POLLIN, 0}, {writing ? stdin_fd_ : -1, POLLOUT, 0}};
        if (::poll(fds, 3, -1) < 0) {
            if (errno == EINTR) continue;
            fail("poll");
        }
        if (fds[0].revents != 0) drain(stdout_fd_, result_.out);
        if (fds[1].revents != 0) drain(stderr_fd_, result_.err);
        if (writing && fds[2].revents != 0) {
            const ssize_t written = ::write(stdin_fd_, pending_stdin->data(), pending_stdin->size());
            if (written > 0) {
                pending_stdin->remove_prefix(static_cast<std::size_t>(written));
            } else if (errno != EAGAIN && errno != EINTR) {
                // The agent stopped reading (it exited): the rest is dropped.
                *pending_stdin = {};
            }
        }
    }
}

void RunningAgent::feed_and_close_stdin(std::string_view data) {
    pump(false, &data);
    close_fd(stdin_fd_);
}

AgentResult RunningAgent::finish() {
    if (!running()) throw std::logic_error("agent already finished");
    close_fd(stdin_fd_);
    pump(true, nullptr);
    while (::waitpid(pid_, &result_.status, 0) < 0) {
        if (errno != EINTR) fail("waitpid");
    }
    pid_ = -1;
    return result_;
}

AgentResult run_agent(const std::vector<std::string>& args, std::string_view stdin_data, const AgentOptions& options) {
    RunningAgent agent(args, options);
    agent.feed_and_close_stdin(stdin_data);
    return agent.finish();
}

std::string little_endian_bytes(std::uint32_t value) {
    std::string bytes(4, '\0');
    for (int i = 0; i < 4; ++i) bytes[i] = static_cast<char>((value >> (8 * i)) & 0xff);
    return bytes;
}

pid_t fork_child(const std::function<void()>& body) {
    const pid_t pid = ::fork();
    if (pid < 0) fail("fork");
    if (pid == 0) {
        reset_signals_in_child();
        body();
        ::_exit(0);
    }
    return pid;
}

SpawnedChild spawn_with_pipes(const std::vector<std::string>& argv, const SpawnOptions& options) {
    // Everything the child needs is prepared before fork: between fork and
    // execve it only resets signals, dup2s and runs the hook.
    std::vector<std::string> argv_strings = argv;
    std::vector<char*> argv_pointers;
    for (auto& arg : argv_strings) argv_pointers.push_back(arg.data());
    argv_pointers.push_back(nullptr);
    std::vector<std::string> env_strings = options.env;
    if (options.inherit_environment) {
        for (char** entry = environ; *entry != nullptr; ++entry) env_strings.emplace_back(*entry);
    }
    std::vector<char*> envp;
    for (auto& entry : env_strings) envp.push_back(entry.data());
    envp.push_back(nullptr);

    // O_CLOEXEC: the child keeps only the copies dup2 puts on 0, 1 and 2, and
    // children spawned later do not inherit this one's pipes.
    int in[2], out[2], err[2];
    make_pipe(in);
    make_pipe(out);
    make_pipe(err);
    if (options.stdout_without_reader) {
        // Closed before the child exists, so no copy of the reader survives.
        close_fd(out[0]);
    }

    SpawnedChild child;
    child.pid = fork_child([&] {
        ::dup2(in[0], STDIN_FILENO);
        ::dup2(out[1], STDOUT_FILENO);
        ::dup2(err[1], STDERR_FILENO);
        if (options.before_exec) options.before_exec();
        ::execve(argv_pointers[0], argv_pointers.data(), envp.data());
        ::_exit(126);
    });
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    child.stdin_fd = in[1];
    child.stdout_fd = out[0];
    child.stderr_fd = err[0];
    if (options.nonblocking_stdin) ::fcntl(child.stdin_fd, F_SETFL, O_NONBLOCK);
    if (options.nonblocking_stderr) ::fcntl(child.stderr_fd, F_SETFL, O_NONBLOCK);
    return child;
}

}  // namespace csh::agent::test
