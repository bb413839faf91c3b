#include "signal_names.hpp"

#include <csignal>

namespace csh::agent {

namespace {

struct SignalName {
    std::string_view name;
    int number;
};

constexpr SignalName kSignals[] = {
    {"ABRT", SIGABRT}, {"ALRM", SIGALRM}, {"FPE", SIGFPE},   {"HUP", SIGHUP},   {"ILL", SIGILL},
    {"INT", SIGINT},   {"KILL", SIGKILL}, {"PIPE", SIGPIPE}, {"QUIT", SIGQUIT}, {"SEGV", SIGSEGV},
    {"TERM", SIGTERM}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2},
};

}  // namespace

int signal_from_name(std::string_view name) {
    for (const SignalName& entry : kSignals) {
        if (entry.name == name) return entry.number;
    }
    return 0;
}

}  // namespace csh::agent
