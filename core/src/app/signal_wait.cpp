#include "app/signal_wait.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <system_error>

namespace csh::app {

SignalWait::SignalWait(const sigset_t& set) {
    signal_fd_ = ::signalfd(-1, &set, SFD_CLOEXEC);
    if (signal_fd_ < 0) throw std::system_error(errno, std::generic_category(), "signalfd");
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) {
        const int error = errno;
        ::close(signal_fd_);
        throw std::system_error(error, std::generic_category(), "eventfd");
    }
}

SignalWait::~SignalWait() {
    ::close(signal_fd_);
    ::close(wake_fd_);
}

void SignalWait::wake() {
    const std::uint64_t one = 1;
    // Only fails when the counter is full, which still wakes the wait.
    [[maybe_unused]] const auto written = ::write(wake_fd_, &one, sizeof one);
}

SignalWait::Result SignalWait::wait(std::optional<std::chrono::steady_clock::time_point> deadline) {
    using namespace std::chrono;
    for (;;) {
        int timeout_ms = -1;
        if (deadline) {
            const auto left = duration_cast<milliseconds>(*deadline - steady_clock::now()).count();
            if (left <= 0) return {Woken::deadline};
            // Rounded up: poll's millisecond must not end the wait early.
            timeout_ms = static_cast<int>(std::min<long long>(left + 1, 24LL * 3600 * 1000));
        }
        pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
        const int ready = ::poll(fds, 2, timeout_ms);
        if (ready < 0) continue;  // EINTR: a signal outside the set (a debugger, say)
        if (fds[0].revents & POLLIN) {
            signalfd_siginfo info{};
            if (::read(signal_fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
                return {Woken::signal, static_cast<int>(info.ssi_signo)};
            }
        }
        if (fds[1].revents & POLLIN) {
            std::uint64_t count = 0;
            if (::read(wake_fd_, &count, sizeof count) == static_cast<ssize_t>(sizeof count)) return {Woken::wake};
        }
    }
}

}  // namespace csh::app
