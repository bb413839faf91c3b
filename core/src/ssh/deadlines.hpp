// ssh.idleTimeout and ssh.maxSessionDuration for one connection: when to
// warn the user, when to close, and when to look again. Pure, so the
// timing rules are tested without a clock; Connection keeps the timer.
//
// Idle means no session traffic either way: client data, program output,
// channel opens and requests. Keepalives do not count, or
// ssh.clientAliveInterval (and the client's ServerAliveInterval) would keep
// every idle connection alive forever.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace csh::ssh {

using Clock = std::chrono::steady_clock;

struct DeadlineSettings {
    std::chrono::milliseconds idle_timeout{0};          // 0 = off
    std::chrono::milliseconds max_session_duration{0};  // 0 = off
    // How long before the close the user is warned; at most half the
    // timeout, so a short timeout still leaves time to react. 0 = no warning.
    std::chrono::milliseconds warning{60000};
    bool any() const { return idle_timeout.count() > 0 || max_session_duration.count() > 0; }
};

struct DeadlineState {
    Clock::time_point ready_at;      // the login finished
    Clock::time_point last_traffic;  // the last session traffic either way
    // The idle warning went out for this quiet spell (the last_traffic it saw).
    std::optional<Clock::time_point> idle_warned_for;
    bool duration_warned = false;
};

struct DeadlineStep {
    enum class Action { none, warn_idle, warn_duration, close_idle, close_duration };
    Action action = Action::none;
    // For a warning: how long until the close.
    std::chrono::milliseconds remaining{0};
    // When to look again; nullopt when nothing is left to watch.
    std::optional<Clock::time_point> next_check;
};

DeadlineStep next_deadline_step(const DeadlineSettings& settings, const DeadlineState& state, Clock::time_point now);

// "1h2m3s", "90s" -> "1m30s", as Go prints durations, to whole seconds.
std::string format_duration(std::chrono::milliseconds duration);

}  // namespace csh::ssh
