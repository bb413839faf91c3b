#include "signal_names.hpp"

#include <csignal>
#include <iterator>

namespace backend_local {
namespace {

struct NamedSignal {
    std::string_view name;
    int number;
};

// The RFC 4254 set first, then the common POSIX signals clients may send.
constexpr NamedSignal kSignals[] = {
    {"ABRT", SIGABRT}, {"ALRM", SIGALRM}, {"FPE", SIGFPE},   {"HUP", SIGHUP},   {"ILL", SIGILL},
    {"INT", SIGINT},   {"KILL", SIGKILL}, {"PIPE", SIGPIPE}, {"QUIT", SIGQUIT}, {"SEGV", SIGSEGV},
    {"TERM", SIGTERM}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"BUS", SIGBUS},   {"CHLD", SIGCHLD},
    {"CONT", SIGCONT}, {"STOP", SIGSTOP}, {"TSTP", SIGTSTP}, {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},
    {"WINCH", SIGWINCH}, {"SYS", SIGSYS}, {"TRAP", SIGTRAP}, {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},
};

}  // namespace

std::optional<int> signal_number(std::string_view name) {
    if (name.substr(0, 3) == "SIG") name.remove_prefix(3);
    for (const auto& s : kSignals) {
        if (s.name == name) return s.number;
    }
    return std::nullopt;
}

std::string signal_name(int number) {
    for (const auto& s : kSignals) {
        if (s.number == number) return std::string(s.name);
    }
    return "SIG" + std::to_string(number);
}

}  // namespace backend_local
