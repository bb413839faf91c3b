#include "proc_status.hpp"

#include <time.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace csh::agent::test {

namespace {

std::string proc_file(pid_t pid, const char* name) { return "/proc/" + std::to_string(pid) + "/" + name; }

void pause_briefly() {
    const timespec one_millisecond{0, 1000 * 1000};
    ::nanosleep(&one_millisecond, nullptr);
}

}  // namespace

std::uint64_t status_signal_set(pid_t pid, const char* field) {
    std::ifstream status(proc_file(pid, "status"));
    if (!status) throw std::runtime_error("no /proc status for pid " + std::to_string(pid));
    const std::string prefix = std::string(field) + ":";
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind(prefix, 0) == 0) return std::stoull(line.substr(prefix.size()), nullptr, 16);
    }
    throw std::runtime_error(std::string("no ") + field + " in /proc status of pid " + std::to_string(pid));
}

std::uint64_t pending_signals(pid_t pid) { return status_signal_set(pid, "SigPnd") | status_signal_set(pid, "ShdPnd"); }

char process_state(pid_t pid) {
    std::ifstream stat(proc_file(pid, "stat"));
    std::string text;
    if (!stat || !std::getline(stat, text)) return 0;
    // "PID (COMM) S ...": COMM may contain anything, so look after the last ')'.
    const auto close = text.rfind(')');
    if (close == std::string::npos || close + 2 >= text.size()) return 0;
    return text[close + 2];
}

void wait_until_blocked(pid_t pid, int signal) {
    for (;;) {
        const char state = process_state(pid);
        if (state == 0 || state == 'Z') throw std::runtime_error("process ended before blocking the signal");
        if ((status_signal_set(pid, "SigBlk") & signal_bit(signal)) != 0) return;
        pause_briefly();
    }
}

}  // namespace csh::agent::test
