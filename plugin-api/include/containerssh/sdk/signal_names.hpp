// Signal names as SSH carries them (RFC 4254 section 6.10: "TERM", no "SIG")
// and their Linux numbers: one table for the backends and the guest agent.
// Header-only and allocation-free, so the static agent can use it too.
#pragma once

#include <csignal>
#include <string_view>

namespace csh::sdk {

struct SignalName {
    std::string_view name;
    int number;
};

// The names RFC 4254 defines: what ContainerSSH's agent accepts.
inline constexpr SignalName kSshSignals[] = {
    {"ABRT", SIGABRT}, {"ALRM", SIGALRM}, {"FPE", SIGFPE},   {"HUP", SIGHUP},   {"ILL", SIGILL},
    {"INT", SIGINT},   {"KILL", SIGKILL}, {"PIPE", SIGPIPE}, {"QUIT", SIGQUIT}, {"SEGV", SIGSEGV},
    {"TERM", SIGTERM}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2},
};

// Other POSIX signals a program may die of, for naming an exit-signal.
inline constexpr SignalName kOtherSignals[] = {
    {"BUS", SIGBUS},   {"CHLD", SIGCHLD}, {"CONT", SIGCONT}, {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},
    {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU}, {"WINCH", SIGWINCH}, {"SYS", SIGSYS}, {"TRAP", SIGTRAP},
    {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},
};

// The number of an RFC 4254 signal name, 0 for any other name.
inline int ssh_signal_number(std::string_view name) {
    for (const SignalName& s : kSshSignals) {
        if (s.name == name) return s.number;
    }
    return 0;
}

// The name of a signal number from either table, "" when it has none.
inline std::string_view signal_name(int number) {
    for (const SignalName& s : kSshSignals) {
        if (s.number == number) return s.name;
    }
    for (const SignalName& s : kOtherSignals) {
        if (s.number == number) return s.name;
    }
    return {};
}

// The number of a name from either table ("SIG" prefix tolerated), 0 when
// unknown.
inline int any_signal_number(std::string_view name) {
    if (name.substr(0, 3) == "SIG") name.remove_prefix(3);
    if (const int number = ssh_signal_number(name)) return number;
    for (const SignalName& s : kOtherSignals) {
        if (s.name == name) return s.number;
    }
    return 0;
}

}  // namespace csh::sdk
