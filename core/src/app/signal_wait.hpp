// The main thread's wait for SIGTERM, SIGINT and SIGHUP, which can also end
// at a deadline or when another thread calls wake(): the drain after SIGTERM
// waits for the last connection, the deadline and a second signal at once,
// with no thread of its own and no polling.
#pragma once

#include <chrono>
#include <csignal>
#include <optional>

namespace csh::app {

class SignalWait {
public:
    // The signals of `set` must be blocked in every thread (they are read
    // from a signalfd). Throws std::system_error when the descriptors cannot be made.
    explicit SignalWait(const sigset_t& set);
    ~SignalWait();
    SignalWait(const SignalWait&) = delete;
    SignalWait& operator=(const SignalWait&) = delete;

    enum class Woken { signal, deadline, wake };
    struct Result {
        Woken why;
        int signal = 0;  // for Woken::signal
    };
    // Waits for a signal of the set, until `deadline` (none: forever), or
    // until wake(). A wake() that came before the call ends it at once.
    Result wait(std::optional<std::chrono::steady_clock::time_point> deadline);
    // [any-thread]
    void wake();

private:
    int signal_fd_ = -1;
    int wake_fd_ = -1;
};

}  // namespace csh::app
