#include "process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace csh::test {

namespace {

using Clock = std::chrono::steady_clock;

int decode_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

struct Spawned {
    pid_t pid;
    int in;
    int out;
    int err;
};

Spawned spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env, bool want_err,
              const std::string& stderr_file = {}) {
    int in[2], out[2], err[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe failed");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    if (!want_err && !stderr_file.empty()) {
        posix_spawn_file_actions_addopen(&actions, 2, stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    } else {
        posix_spawn_file_actions_adddup2(&actions, want_err ? err[1] : 2, 2);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    auto envs = make_env(env);
    std::vector<char*> envp;
    for (auto& e : envs) envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_t pid = -1;
    const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
    if (!want_err) {
        ::close(err[0]);
        err[0] = -1;
    }
    return {pid, in[1], out[0], err[0]};
}

}  // namespace

std::vector<std::string> make_env(const std::map<std::string, std::string>& extra) {
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
        std::string entry(*e);
        const auto name = entry.substr(0, entry.find('='));
        if (extra.count(name) == 0) env.push_back(entry);
    }
    for (const auto& [k, v] : extra) env.push_back(k + "=" + v);
    return env;
}

RunResult run(const std::vector<std::string>& argv, const std::string& input,
              const std::map<std::string, std::string>& env, std::chrono::milliseconds timeout) {
    RunResult result;
    auto child = spawn(argv, env, true);
    fcntl(child.in, F_SETFL, O_NONBLOCK);
    size_t written = 0;
    if (input.empty()) {
        ::close(child.in);
        child.in = -1;
    }
    const auto deadline = Clock::now() + timeout;
    while (child.out >= 0 || child.err >= 0) {
        std::vector<pollfd> fds;
        if (child.in >= 0) fds.push_back({child.in, POLLOUT, 0});
        if (child.out >= 0) fds.push_back({child.out, POLLIN, 0});
        if (child.err >= 0) fds.push_back({child.err, POLLIN, 0});
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) {
            result.timed_out = true;
            kill(child.pid, SIGKILL);
            break;
        }
        if (poll(fds.data(), fds.size(), static_cast<int>(std::min<long>(left, 1000))) < 0 && errno != EINTR) break;
        for (const auto& p : fds) {
            if (p.revents == 0) continue;
            if (p.fd == child.in) {
                const ssize_t n = ::write(child.in, input.data() + written, input.size() - written);
                if (n > 0) written += static_cast<size_t>(n);
                if (n < 0 && errno != EAGAIN) written = input.size();
                if (written == input.size()) {
                    ::close(child.in);
                    child.in = -1;
                }
                continue;
            }
            char buf[65536];
            const ssize_t n = ::read(p.fd, buf, sizeof buf);
            if (n > 0) {
                (p.fd == child.out ? result.out : result.err).append(buf, static_cast<size_t>(n));
            } else if (n == 0 || errno != EAGAIN) {
                ::close(p.fd);
                (p.fd == child.out ? child.out : child.err) = -1;
            }
        }
    }
    for (int fd : {child.in, child.out, child.err}) {
        if (fd >= 0) ::close(fd);
    }
    int status = 0;
    waitpid(child.pid, &status, 0);
    result.exit_code = decode_status(status);
    return result;
}

Child::Child(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
             const std::string& stderr_file) {
    auto spawned = spawn(argv, env, false, stderr_file);
    pid_ = spawned.pid;
    stdin_fd_ = spawned.in;
    stdout_fd_ = spawned.out;
}

Child::~Child() {
    if (pid_ > 0 && exit_code_ < 0) {
        kill(pid_, SIGKILL);
        int status = 0;
        waitpid(pid_, &status, 0);
    }
    close_stdin();
    if (stdout_fd_ >= 0) ::close(stdout_fd_);
}

void Child::close_stdin() {
    if (stdin_fd_ >= 0) ::close(stdin_fd_);
    stdin_fd_ = -1;
}

bool Child::read_line(std::string& line, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        const auto nl = buffer_.find('\n');
        if (nl != std::string::npos) {
            line = buffer_.substr(0, nl);
            buffer_.erase(0, nl + 1);
            return true;
        }
        if (stdout_fd_ < 0) return false;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return false;
        pollfd p{stdout_fd_, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left)) <= 0) continue;
        char buf[8192];
        const ssize_t n = ::read(stdout_fd_, buf, sizeof buf);
        if (n <= 0) {
            ::close(stdout_fd_);
            stdout_fd_ = -1;
            continue;
        }
        buffer_.append(buf, static_cast<size_t>(n));
    }
}

std::optional<int> Child::exited() {
    if (exit_code_ >= 0) return exit_code_;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) != pid_) return std::nullopt;
    exit_code_ = decode_status(status);
    return exit_code_;
}

int Child::stop(int signal, std::chrono::milliseconds timeout) {
    if (exit_code_ >= 0) return exit_code_;
    kill(pid_, signal);
    const auto deadline = Clock::now() + timeout;
    int status = 0;
    while (Clock::now() < deadline) {
        const pid_t r = waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            exit_code_ = decode_status(status);
            return exit_code_;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
    exit_code_ = decode_status(status);
    return -1;
}

}  // namespace csh::test
