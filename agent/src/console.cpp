// console: prepare what the container engine's exec cannot (environment,
// start handshake, PID report), then become the program via execve so that
// nothing of the agent stays behind (safe as PID 1, signals reach the
// program directly).
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include <csh/agent/agent_protocol.hpp>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "output.hpp"
#include "usage.hpp"

namespace csh::agent {

namespace {

// --wait: Kubernetes starts the program before the client is attached, so the
// gateway sends one start byte once it listens. Anything else on stdin first
// means the stream is not what we expect; better stop than garble it.
// On a terminal the byte is read without echo or line editing: the user
// must not see it, and a \0 must not wait for a line end.
int read_start_byte() {
    unsigned char byte = 0;
    struct termios saved {};
    const bool terminal = ::tcgetattr(STDIN_FILENO, &saved) == 0;
    if (terminal) {
        struct termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
        quiet.c_cc[VMIN] = 1;
        quiet.c_cc[VTIME] = 0;
        ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    ssize_t got;
    do {
        got = ::read(STDIN_FILENO, &byte, 1);
    } while (got < 0 && errno == EINTR);
    if (terminal) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    if (got < 0) {
        report_error({"--wait: cannot read from stdin: ", std::strerror(errno)});
        return kExitStdinRead;
    }
    if (got == 0) {
        report_error({"--wait: stdin ended before the start byte"});
        return kExitStdinRead;
    }
    if (byte != '\0' && byte != '\n') {
        report_error({"--wait: unexpected first byte on stdin; send \\0 or \\n to start the program"});
        return kExitStdinRead;
    }
    return kExitOk;
}

// --pid: exec APIs do not tell the gateway the PID of what they started; the
// gateway needs it to deliver signals later, and execve keeps the PID.
int report_pid() {
    const auto pid = static_cast<std::uint32_t>(::getpid());
    const unsigned char bytes[4] = {
        static_cast<unsigned char>(pid),
        static_cast<unsigned char>(pid >> 8),
        static_cast<unsigned char>(pid >> 16),
        static_cast<unsigned char>(pid >> 24),
    };
    // A closed reader must end in exit code 3, not death by SIGPIPE. The old
    // disposition comes back before execve, which would otherwise pass the
    // "ignore" on to the program.
    struct sigaction ignore {};
    struct sigaction previous {};
    ignore.sa_handler = SIG_IGN;
    ::sigemptyset(&ignore.sa_mask);
    ::sigaction(SIGPIPE, &ignore, &previous);
    // On a terminal, output processing would turn a 0x0a byte of the PID
    // into "\r\n" and shift everything the gateway reads after it; the four
    // bytes go out raw and the program gets the terminal as it was.
    struct termios saved {};
    const bool raw_terminal = ::tcgetattr(STDOUT_FILENO, &saved) == 0;
    if (raw_terminal) {
        struct termios raw = saved;
        raw.c_oflag &= ~static_cast<tcflag_t>(OPOST);
        ::tcsetattr(STDOUT_FILENO, TCSANOW, &raw);
    }
    const bool written = write_all(STDOUT_FILENO, bytes, sizeof(bytes));
    const int error = errno;
    if (raw_terminal) ::tcsetattr(STDOUT_FILENO, TCSADRAIN, &saved);
    ::sigaction(SIGPIPE, &previous, nullptr);
    if (!written) {
        report_error({"--pid: cannot write the PID to stdout: ", std::strerror(error)});
        return kExitPidWrite;
    }
    return kExitOk;
}

// --env NAME=VALUE replaces a variable of the same name (the last --env wins),
// so the program sees exactly one value.
int set_variable(const char* assignment) {
    std::string_view text = assignment;
    const auto equals = text.find('=');
    if (equals == std::string_view::npos || equals == 0) {
        return usage_error({"--env requires an argument in the format NAME=VALUE, got: ", text});
    }
    // putenv keeps the pointer; argv lives until execve, which copies it.
    if (::putenv(const_cast<char*>(assignment)) != 0) {
        report_error({"--env: cannot set ", text, ": ", std::strerror(errno)});
        return kExitUsage;
    }
    return kExitOk;
}

}  // namespace

// The Docker backend sizes a terminal right after the exec started; a
// program started before that finds it 0x0 (bash wraps at 80 columns, full
// screen programs draw nothing until the next resize). When the backend says
// it will size it, wait for the size (SIGWINCH) for a moment. The variable is
// ours: an agent that does not know it passes it on harmlessly.
void await_terminal_size() {
    if (::getenv(csh::agent::kAwaitTerminalSizeVariable) == nullptr) return;
    ::unsetenv(csh::agent::kAwaitTerminalSizeVariable);
    sigset_t winch;
    sigset_t previous;
    ::sigemptyset(&winch);
    ::sigaddset(&winch, SIGWINCH);
    // Blocked before the first look, so a resize in between is not missed.
    ::sigprocmask(SIG_BLOCK, &winch, &previous);
    timespec deadline{};
    ::clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += csh::agent::kAwaitTerminalSizeSeconds;
    winsize size{};
    while (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && (size.ws_row == 0 || size.ws_col == 0)) {
        timespec now{};
        ::clock_gettime(CLOCK_MONOTONIC, &now);
        timespec remaining{deadline.tv_sec - now.tv_sec, deadline.tv_nsec - now.tv_nsec};
        if (remaining.tv_nsec < 0) {
            remaining.tv_sec -= 1;
            remaining.tv_nsec += 1000000000L;
        }
        if (remaining.tv_sec < 0) break;
        ::sigtimedwait(&winch, nullptr, &remaining);
    }
    ::sigprocmask(SIG_SETMASK, &previous, nullptr);
}

int run_console(char** args) {
    bool wait = false;
    bool pid = false;
    char** program = nullptr;
    for (char** arg = args; *arg != nullptr; ++arg) {
        const std::string_view option = *arg;
        if (option == "--") {
            program = arg + 1;
            if (*program == nullptr) return usage_error({"no program to run given after --"});
            break;
        }
        if (option == "--wait") {
            wait = true;
        } else if (option == "--pid") {
            pid = true;
        } else if (option == "--env") {
            const char* assignment = arg[1];
            if (assignment == nullptr || std::string_view(assignment).substr(0, 2) == "--") {
                return usage_error({"--env requires an argument"});
            }
            if (int code = set_variable(assignment); code != kExitOk) return code;
            ++arg;
        } else {
            return usage_error({"invalid parameter: ", option});
        }
    }
    if (program == nullptr) return usage_error({"no program to run given (console [OPTIONS] -- PROGRAM [ARGS...])"});

    if (wait) {
        if (int code = read_start_byte(); code != kExitOk) return code;
    }
    if (pid) {
        if (int code = report_pid(); code != kExitOk) return code;
    }
    await_terminal_size();
    // A path, as ContainerSSH's agent does: no PATH lookup.
    ::execve(program[0], program, environ);
    report_error({"cannot execute ", program[0], ": ", std::strerror(errno)});
    return kExitExecFailed;
}

}  // namespace csh::agent
