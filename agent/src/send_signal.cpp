// signal: the container engines' exec APIs cannot signal an exec'd process,
// so the gateway runs this inside the container to do it.
#include <signal.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <string_view>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "output.hpp"
#include <containerssh/sdk/signal_names.hpp>
#include "usage.hpp"

namespace csh::agent {

namespace {

// A positive decimal PID with nothing around it; 0 for anything else (0 and
// negative values would address process groups, never wanted here).
pid_t parse_pid(std::string_view text) {
    if (text.empty() || text.size() > 10) return 0;
    long long value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return 0;
        value = value * 10 + (c - '0');
    }
    if (value > INT_MAX) return 0;
    return static_cast<pid_t>(value);
}

}  // namespace

int run_signal(char** args) {
    pid_t pid = 0;
    const char* pid_text = nullptr;
    int signal = 0;
    for (char** arg = args; *arg != nullptr; ++arg) {
        const std::string_view option = *arg;
        if (option == "--pid") {
            if (arg[1] == nullptr) return usage_error({"--pid requires an argument"});
            if (pid_text != nullptr) return usage_error({"--pid is given twice"});
            pid_text = *++arg;
            pid = parse_pid(pid_text);
            if (pid <= 0) return usage_error({"--pid requires a positive integer, got: ", pid_text});
        } else if (option == "--signal") {
            if (arg[1] == nullptr) return usage_error({"--signal requires an argument"});
            const char* name = *++arg;
            signal = csh::sdk::ssh_signal_number(name);
            if (signal == 0) {
                report_error({"unsupported signal: ", name});
                return kExitUsage;
            }
        } else {
            return usage_error({"unknown option: ", option});
        }
    }
    if (pid_text == nullptr) return usage_error({"missing required --pid option"});
    if (signal == 0) return usage_error({"missing required --signal option"});

    if (::kill(pid, signal) == 0) return kExitOk;
    if (errno == ESRCH) {
        report_error({"process not found: ", pid_text});
        return kExitNoSuchProcess;
    }
    report_error({"failed to send signal to ", pid_text, ": ", std::strerror(errno)});
    return kExitSignalFailed;
}

}  // namespace csh::agent
