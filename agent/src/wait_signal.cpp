// wait-signal: the idle PID 1 of a connection-mode container. The gateway
// stops the container with one of the named signals; until then this process
// must also do PID 1's other duty, reaping orphans: programs started with
// exec that daemonize are re-parented to it and would stay zombies otherwise.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "output.hpp"
#include <containerssh/sdk/signal_names.hpp>
#include "usage.hpp"

namespace csh::agent {

namespace {

void reap_exited_children() {
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
}

}  // namespace

int run_wait_signal(char** args) {
    sigset_t wanted;
    ::sigemptyset(&wanted);
    bool any_signal = false;
    std::string_view message;
    for (char** arg = args; *arg != nullptr; ++arg) {
        const std::string_view option = *arg;
        if (option == "--signal") {
            if (arg[1] == nullptr) return usage_error({"--signal requires an argument"});
            const char* name = *++arg;
            const int signal = csh::sdk::ssh_signal_number(name);
            if (signal == 0) {
                report_error({"unsupported signal: ", name});
                return kExitUsage;
            }
            ::sigaddset(&wanted, signal);
            any_signal = true;
        } else if (option == "--message") {
            if (arg[1] == nullptr) return usage_error({"--message requires an argument"});
            message = *++arg;
        } else {
            return usage_error({"unknown option: ", option});
        }
    }
    if (!any_signal) return usage_error({"missing required --signal option"});

    // Every signal is blocked and only the wanted ones (and SIGCHLD) are ever
    // taken with sigwaitinfo: others stay pending and harmless, so outside a
    // container (not PID 1) an unrelated signal cannot end the wait either.
    sigset_t all;
    ::sigfillset(&all);
    ::sigprocmask(SIG_SETMASK, &all, nullptr);
    // An inherited SIG_IGN for SIGCHLD would hide exits from us; the default
    // keeps zombies for waitpid, which is what reaping expects.
    struct sigaction child_default {};
    child_default.sa_handler = SIG_DFL;
    ::sigemptyset(&child_default.sa_mask);
    ::sigaction(SIGCHLD, &child_default, nullptr);

    sigset_t awaited = wanted;
    ::sigaddset(&awaited, SIGCHLD);
    // Children that ended before the mask was set sent their SIGCHLD already.
    reap_exited_children();
    for (;;) {
        const int signal = ::sigwaitinfo(&awaited, nullptr);
        if (signal < 0) {
            if (errno == EINTR) continue;
            report_error({"waiting for signals failed: ", std::strerror(errno)});
            return kExitUsage;
        }
        // SIGCHLD is not merged per child: one may stand for several exits.
        reap_exited_children();
        if (::sigismember(&wanted, signal)) break;
    }
    (void)write_text(STDOUT_FILENO, message);
    return kExitOk;
}

}  // namespace csh::agent
