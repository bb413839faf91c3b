#include "ssh/deadlines.hpp"

#include <algorithm>

namespace csh::ssh {

namespace {

std::chrono::milliseconds lead(const DeadlineSettings& s, std::chrono::milliseconds timeout) {
    return std::min(s.warning, timeout / 2);
}

std::chrono::milliseconds until(Clock::time_point at, Clock::time_point now) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(at - now);
}

}  // namespace

DeadlineStep next_deadline_step(const DeadlineSettings& s, const DeadlineState& state, Clock::time_point now) {
    DeadlineStep step;
    auto consider = [&](Clock::time_point at) {
        if (!step.next_check || at < *step.next_check) step.next_check = at;
    };
    // A close that is due wins over a warning: a timer that fired late never
    // warns about a close that should already have happened.
    if (s.max_session_duration.count() > 0) {
        const auto end = state.ready_at + s.max_session_duration;
        if (now >= end) return {DeadlineStep::Action::close_duration, {}, {}};
        consider(end);
    }
    if (s.idle_timeout.count() > 0) {
        const auto end = state.last_traffic + s.idle_timeout;
        if (now >= end) return {DeadlineStep::Action::close_idle, {}, {}};
        consider(end);
    }
    // A warning due now is the step; one still ahead is when to look again.
    auto warning = [&](std::chrono::milliseconds timeout, Clock::time_point end, DeadlineStep::Action action) {
        const auto l = lead(s, timeout);
        if (l.count() <= 0) return false;
        if (now < end - l) {
            consider(end - l);
            return false;
        }
        step.action = action;
        step.remaining = until(end, now);
        return true;
    };
    if (s.max_session_duration.count() > 0 && !state.duration_warned &&
        warning(s.max_session_duration, state.ready_at + s.max_session_duration, DeadlineStep::Action::warn_duration)) {
        return step;
    }
    if (s.idle_timeout.count() > 0 && state.idle_warned_for != state.last_traffic &&
        warning(s.idle_timeout, state.last_traffic + s.idle_timeout, DeadlineStep::Action::warn_idle)) {
        return step;
    }
    return step;
}

std::string format_duration(std::chrono::milliseconds duration) {
    long long seconds = (duration.count() + 999) / 1000;  // a warning rounds up: "closed in 1s", not "0s"
    if (seconds <= 0) return "0s";
    std::string out;
    if (seconds >= 3600) out += std::to_string(seconds / 3600) + "h";
    if (seconds >= 60) out += std::to_string(seconds / 60 % 60) + "m";
    out += std::to_string(seconds % 60) + "s";
    return out;
}

}  // namespace csh::ssh
