// What /proc tells about another process: its signal masks and its state.
// The tests synchronise on these instead of sleeping for a guessed time.
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace csh::agent::test {

// A signal set field of /proc/PID/status ("SigBlk", "SigPnd", "ShdPnd"...)
// as a bit mask, bit (n - 1) for signal n.
std::uint64_t status_signal_set(pid_t pid, const char* field);

constexpr std::uint64_t signal_bit(int signal) { return std::uint64_t{1} << (signal - 1); }

// Signals pending for the process, whether sent to the process or a thread.
std::uint64_t pending_signals(pid_t pid);

// Polls until `pid` has `signal` in its blocked set; throws if the process
// ends first. Bounded only by the test's timeout.
void wait_until_blocked(pid_t pid, int signal);

// The state letter of /proc/PID/stat (R, S, Z...), or 0 once the process is
// gone (reaped).
char process_state(pid_t pid);

}  // namespace csh::agent::test
