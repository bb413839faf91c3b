#include "child_process.hpp"

#include <fcntl.h>
#include <pty.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <ctime>
#include <system_error>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

namespace backend_local {
namespace {

[[noreturn]] void throw_errno(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

void set_flags(int fd, bool nonblocking) {
    if (::fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) throw_errno("fcntl(FD_CLOEXEC)");
    if (nonblocking && ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) throw_errno("fcntl(O_NONBLOCK)");
}

struct Pipe {
    UniqueFd read;
    UniqueFd write;
};

Pipe make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe2");
    return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

winsize to_winsize(const csh::sdk::WindowSize& size) {
    winsize ws{};
    ws.ws_row = static_cast<unsigned short>(size.rows);
    ws.ws_col = static_cast<unsigned short>(size.columns);
    ws.ws_xpixel = static_cast<unsigned short>(size.width_px);
    ws.ws_ypixel = static_cast<unsigned short>(size.height_px);
    return ws;
}

// Everything the child does between fork and execve; async-signal-safe only.
[[noreturn]] void run_child(char* const* argv, char* const* envp, const char* workdir, int in, int out, int err,
                            int terminal, int report) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &default_action, nullptr);

    int error = 0;
    if (setsid() < 0) error = errno;
    if (error == 0 && terminal >= 0 && ioctl(terminal, TIOCSCTTY, 0) != 0) error = errno;
    if (error == 0 && (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)) error = errno;
    if (error == 0 && chdir(workdir) != 0) error = errno;
    if (error == 0) {
        // Keep nothing of the gateway's open files; the report pipe is
        // already close-on-exec.
        if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
            for (int fd = 3; fd < 65536; ++fd) fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
        execve(argv[0], argv, envp);
        error = errno;
    }
    while (write(report, &error, sizeof error) < 0 && errno == EINTR) {
    }
    _exit(127);
}

}  // namespace

SpawnedChild spawn_child(const SpawnSpec& spec) {
    // Prepare every allocation before fork: the child may not allocate.
    std::vector<char*> argv;
    for (const auto& arg : spec.argv) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (const auto& var : spec.env) envp.push_back(const_cast<char*>(var.c_str()));
    envp.push_back(nullptr);

    SpawnedChild child;
    Pipe report = make_pipe();
    UniqueFd child_in, child_out, child_err, terminal;
    if (spec.terminal) {
        int master = -1, slave = -1;
        winsize ws = to_winsize(*spec.terminal);
        if (::openpty(&master, &slave, nullptr, nullptr, &ws) != 0) throw_errno("openpty");
        child.output.reset(master);
        terminal.reset(slave);
        set_flags(master, true);
        set_flags(slave, false);
    } else {
        Pipe in = make_pipe(), out = make_pipe(), err = make_pipe();
        child.input = std::move(in.write);
        child.output = std::move(out.read);
        child.error_output = std::move(err.read);
        for (int fd : {child.input.get(), child.output.get(), child.error_output.get()}) set_flags(fd, true);
        child_in = std::move(in.read);
        child_out = std::move(out.write);
        child_err = std::move(err.write);
    }
    set_flags(report.read.get(), true);

    const pid_t pid = ::fork();
    if (pid < 0) throw_errno("fork");
    if (pid == 0) {
        if (terminal.valid()) {
            run_child(argv.data(), envp.data(), spec.workdir.c_str(), terminal.get(), terminal.get(), terminal.get(),
                      terminal.get(), report.write.get());
        }
        run_child(argv.data(), envp.data(), spec.workdir.c_str(), child_in.get(), child_out.get(), child_err.get(), -1,
                  report.write.get());
    }
    child.pid = pid;
    child.exec_report = std::move(report.read);
    return child;  // the child's ends close here, in the parent
}

bool set_terminal_size(int master_fd, const csh::sdk::WindowSize& size) {
    winsize ws = to_winsize(size);
    return ::ioctl(master_fd, TIOCSWINSZ, &ws) == 0;
}

ssize_t write_without_sigpipe(int fd, const void* data, size_t size) {
    sigset_t pipe_only, previous, pending;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    sigpending(&pending);
    const bool already_pending = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_only, &previous);
    const ssize_t written = ::write(fd, data, size);
    const int error = errno;
    if (written < 0 && error == EPIPE && !already_pending) {
        // Consume the SIGPIPE this write raised for this thread.
        const timespec no_wait{0, 0};
        while (sigtimedwait(&pipe_only, nullptr, &no_wait) < 0 && errno == EINTR) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    errno = error;
    return written;
}

}  // namespace backend_local
