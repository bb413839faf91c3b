#include "signal_numbers.hpp"

#include <csignal>
#include <utility>

namespace backend_docker {

int signal_number(std::string_view name) {
    static constexpr std::pair<std::string_view, int> kSignals[] = {
        {"ABRT", SIGABRT}, {"ALRM", SIGALRM}, {"FPE", SIGFPE},   {"HUP", SIGHUP},   {"ILL", SIGILL},
        {"INT", SIGINT},   {"KILL", SIGKILL}, {"PIPE", SIGPIPE}, {"QUIT", SIGQUIT}, {"SEGV", SIGSEGV},
        {"TERM", SIGTERM}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2},
    };
    for (const auto& [known, number] : kSignals) {
        if (known == name) return number;
    }
    return 0;
}

}  // namespace backend_docker
