// The pure logic behind the per-client limits (docs/security.md, "Limits"):
// OpenSSH's MaxStartups random early drop and the per-source gate, the env
// budget of a session, the idle and duration deadlines with their warning,
// SSH_CLIENT / SSH_CONNECTION, and the keys as the configuration reads them.
#include <boost/test/unit_test.hpp>

#include "config/config.hpp"
#include "security/policy.hpp"
#include "ssh/client_env.hpp"
#include "ssh/deadlines.hpp"
#include "ssh/env_budget.hpp"
#include "ssh/startup_gate.hpp"

#include <limits>
#include <string>

using namespace csh::ssh;
using namespace std::chrono_literals;

namespace {

csh::config::Config config_of(const std::string& yaml) {
    return csh::config::Config::parse("backend: local\n" + yaml, false, "test");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(max_startups)

BOOST_AUTO_TEST_CASE(random_early_drop_follows_openssh) {
    const StartupLimits l{10, 30, 100, 0};
    // Below start nothing is dropped, whatever the roll.
    BOOST_TEST(!early_drop(l, 0, 0));
    BOOST_TEST(!early_drop(l, 9, 0));
    // At start `rate`% are dropped: rolls 0..29 drop, 30.. pass.
    BOOST_TEST(early_drop(l, 10, 29));
    BOOST_TEST(!early_drop(l, 10, 30));
    // Half-way to full: 30 + 70 * 45 / 90 = 65%.
    BOOST_TEST(early_drop(l, 55, 64));
    BOOST_TEST(!early_drop(l, 55, 65));
    // At full every connection is dropped.
    BOOST_TEST(early_drop(l, 100, 99));
    BOOST_TEST(early_drop(l, 5000, 99));
    // One number N is N:100:N: a hard limit.
    const StartupLimits hard{5, 100, 5, 0};
    BOOST_TEST(!early_drop(hard, 4, 99));
    BOOST_TEST(early_drop(hard, 5, 99));
}

BOOST_AUTO_TEST_CASE(a_flooding_source_is_stopped_at_its_limit_and_others_still_get_in) {
    // Rolls of 99 never drop at random: only the limits decide.
    auto gate = StartupGate::create({4, 30, 6, 2}, [] { return 99u; });
    auto a1 = gate->admit("10.0.0.1");
    auto a2 = gate->admit("10.0.0.1");
    BOOST_TEST((a1.verdict == StartupGate::Verdict::admitted));
    BOOST_TEST((a2.verdict == StartupGate::Verdict::admitted));
    for (int i = 0; i < 500; ++i) {
        BOOST_TEST((gate->admit("10.0.0.1").verdict == StartupGate::Verdict::per_source));
    }
    // The refused ones were never counted.
    BOOST_TEST(gate->open() == 2u);
    BOOST_TEST((gate->admit("10.0.0.2").verdict == StartupGate::Verdict::admitted));
}

BOOST_AUTO_TEST_CASE(the_total_is_full_and_a_slot_released_lets_the_next_in) {
    auto gate = StartupGate::create({2, 50, 3, 0}, [] { return 99u; });
    std::vector<StartupGate::Admission> held;
    for (int i = 0; i < 3; ++i) held.push_back(gate->admit("10.0.0." + std::to_string(i)));
    for (const auto& a : held) BOOST_TEST((a.verdict == StartupGate::Verdict::admitted));
    BOOST_TEST((gate->admit("10.0.0.9").verdict == StartupGate::Verdict::full));
    held[0].slot.release();
    held[0].slot.release();  // twice is harmless
    BOOST_TEST(gate->open() == 2u);
    // Between start and full a low roll drops.
    auto low = StartupGate::create({2, 50, 3, 0}, [] { return 0u; });
    auto x = low->admit("a");
    auto y = low->admit("b");
    BOOST_TEST((low->admit("c").verdict == StartupGate::Verdict::dropped_early));
}

BOOST_AUTO_TEST_CASE(a_slot_destroyed_releases_its_count) {
    auto gate = StartupGate::create({10, 30, 100, 1}, [] { return 99u; });
    { auto a = gate->admit("s"); BOOST_TEST(gate->open() == 1u); }
    BOOST_TEST(gate->open() == 0u);
    BOOST_TEST((gate->admit("s").verdict == StartupGate::Verdict::admitted));
}

BOOST_AUTO_TEST_CASE(keys_are_read_and_checked) {
    const auto defaults = config_of("").ssh();
    BOOST_TEST(defaults.max_startups_begin == 100);
    BOOST_TEST(defaults.max_startups_rate == 30);
    BOOST_TEST(defaults.max_startups_full == 1000);
    BOOST_TEST(defaults.per_source_max_startups == 20);
    const auto set = config_of("ssh:\n  maxStartups: \"10:40:50\"\n  perSourceMaxStartups: 0\n").ssh();
    BOOST_TEST(set.max_startups_begin == 10);
    BOOST_TEST(set.max_startups_rate == 40);
    BOOST_TEST(set.max_startups_full == 50);
    BOOST_TEST(set.per_source_max_startups == 0);
    BOOST_TEST(config_of("ssh:\n  perSourceMaxStartups: 99999999999\n").ssh().per_source_max_startups ==
               std::numeric_limits<int>::max());
    const auto one = config_of("ssh:\n  maxStartups: \"7\"\n").ssh();
    BOOST_TEST(one.max_startups_begin == 7);
    BOOST_TEST(one.max_startups_full == 7);
    for (const char* bad : {"10:30", "10:0:100", "10:101:100", "50:30:10", "a:b:c", "0:30:10", ""}) {
        BOOST_TEST_INFO(bad);
        BOOST_CHECK_THROW(config_of(std::string("ssh:\n  maxStartups: \"") + bad + "\"\n"), csh::config::ConfigError);
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(env_budget)

BOOST_AUTO_TEST_CASE(counts_variables_and_bytes_and_a_refusal_costs_nothing) {
    EnvBudget budget(3, 100);
    BOOST_TEST((budget.take(4, 40) == EnvBudget::Verdict::fits));
    BOOST_TEST((budget.take(4, 60) == EnvBudget::Verdict::too_large));  // 44 + 64 > 100
    BOOST_TEST(budget.bytes() == 44u);
    BOOST_TEST((budget.take(4, 52) == EnvBudget::Verdict::fits));  // exactly 100
    BOOST_TEST((budget.take(0, 0) == EnvBudget::Verdict::fits));
    BOOST_TEST((budget.take(1, 0) == EnvBudget::Verdict::too_many));
    BOOST_TEST(budget.variables() == 3u);
}

BOOST_AUTO_TEST_CASE(three_thousand_requests_of_4_kib_stop_at_the_default) {
    const auto limits = csh::security::Policy(config_of("").security()).limits();
    EnvBudget budget(limits.env_max_variables, limits.env_max_bytes);
    std::size_t taken = 0;
    for (int i = 0; i < 3000; ++i) {
        if (budget.take(8, 4096) == EnvBudget::Verdict::fits) ++taken;
    }
    BOOST_TEST(taken == 65536u / 4104u);  // 15: the bytes bind before the count
    BOOST_TEST(budget.bytes() <= 65536u);
}

BOOST_AUTO_TEST_CASE(security_limit_keys_are_read) {
    const auto limits = csh::security::Policy(
        config_of("security:\n  maxChannels: 3\n  maxPendingSignals: 2\n  env:\n    maxVariables: 5\n    maxBytes: 10\n")
            .security()).limits();
    BOOST_TEST(limits.max_channels == 3u);
    BOOST_TEST(limits.max_pending_signals == 2u);
    BOOST_TEST(limits.env_max_variables == 5u);
    BOOST_TEST(limits.env_max_bytes == 10u);
    const auto defaults = csh::security::Policy(config_of("").security()).limits();
    BOOST_TEST(defaults.max_channels == 64u);
    BOOST_TEST(defaults.env_max_variables == 128u);
    BOOST_CHECK_THROW(config_of("security:\n  maxChannels: 0\n"), csh::config::ConfigError);
}

BOOST_AUTO_TEST_CASE(maxForwardListeners_defaults_to_16_and_may_be_0_but_not_negative) {
    BOOST_TEST(csh::security::Policy(config_of("").security()).limits().max_forward_listeners == 16u);
    const auto read = [](const std::string& value) {
        return csh::security::Policy(config_of("security:\n  maxForwardListeners: " + value + "\n").security())
            .limits()
            .max_forward_listeners;
    };
    BOOST_TEST(read("3") == 3u);
    BOOST_TEST(read("0") == 0u);  // no remote forwards at all
    BOOST_CHECK_THROW(config_of("security:\n  maxForwardListeners: -1\n"), csh::config::ConfigError);
}

// Like forwardingMode: only enable allows, and defaultMode does not reach it.
BOOST_AUTO_TEST_CASE(reverseForwardingMode_allows_only_when_enabled) {
    const auto policy = [](const std::string& yaml) { return csh::security::Policy(config_of(yaml).security()); };
    BOOST_TEST(!policy("").allows_reverse_forwarding());
    BOOST_TEST(!policy("security:\n  defaultMode: enable\n").allows_reverse_forwarding());
    BOOST_TEST(!policy("security:\n  forwarding:\n    reverseForwardingMode: filter\n").allows_reverse_forwarding());
    BOOST_TEST(!policy("security:\n  forwarding:\n    reverseForwardingMode: disable\n").allows_reverse_forwarding());
    const auto enabled = policy("security:\n  forwarding:\n    reverseForwardingMode: enable\n");
    BOOST_TEST(enabled.allows_reverse_forwarding());
    BOOST_TEST(!enabled.allows_forwarding());  // the two modes are separate
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(deadlines)

const Clock::time_point t0{};

DeadlineStep::Action action_at(const DeadlineSettings& s, const DeadlineState& st, std::chrono::milliseconds at) {
    return next_deadline_step(s, st, t0 + at).action;
}

BOOST_AUTO_TEST_CASE(idle_warns_then_closes_and_traffic_starts_over) {
    const DeadlineSettings s{10s, 0s, 3s};
    DeadlineState st{t0, t0, std::nullopt, false};
    auto step = next_deadline_step(s, st, t0 + 1s);
    BOOST_TEST((step.action == DeadlineStep::Action::none));
    BOOST_TEST((step.next_check == t0 + 7s));
    step = next_deadline_step(s, st, t0 + 7s);
    BOOST_TEST((step.action == DeadlineStep::Action::warn_idle));
    BOOST_TEST(step.remaining.count() == 3000);
    st.idle_warned_for = st.last_traffic;
    step = next_deadline_step(s, st, t0 + 7s);
    BOOST_TEST((step.action == DeadlineStep::Action::none));
    BOOST_TEST((step.next_check == t0 + 10s));
    BOOST_TEST((action_at(s, st, 10s) == DeadlineStep::Action::close_idle));
    // Traffic after the warning: a new quiet spell, warned about again.
    st.last_traffic = t0 + 8s;
    BOOST_TEST((action_at(s, st, 10s) == DeadlineStep::Action::none));
    BOOST_TEST((action_at(s, st, 15s) == DeadlineStep::Action::warn_idle));
}

BOOST_AUTO_TEST_CASE(duration_ignores_traffic_and_a_long_warning_is_capped_at_half) {
    const DeadlineSettings s{0s, 4s, 60s};
    DeadlineState st{t0, t0, std::nullopt, false};
    st.last_traffic = t0 + 3s;
    BOOST_TEST((action_at(s, st, 1s) == DeadlineStep::Action::none));
    BOOST_TEST((action_at(s, st, 2s) == DeadlineStep::Action::warn_duration));
    st.duration_warned = true;
    BOOST_TEST((action_at(s, st, 3999ms) == DeadlineStep::Action::none));
    BOOST_TEST((action_at(s, st, 4s) == DeadlineStep::Action::close_duration));
}

BOOST_AUTO_TEST_CASE(off_means_nothing_to_watch_and_no_warning_without_lead) {
    const DeadlineSettings off{0s, 0s, 60s};
    BOOST_TEST(!off.any());
    BOOST_TEST(!next_deadline_step(off, {t0, t0, std::nullopt, false}, t0 + 1h).next_check);
    const DeadlineSettings silent{5s, 0s, 0s};
    DeadlineState st{t0, t0, std::nullopt, false};
    BOOST_TEST((action_at(silent, st, 4s) == DeadlineStep::Action::none));
    BOOST_TEST((action_at(silent, st, 5s) == DeadlineStep::Action::close_idle));
}

BOOST_AUTO_TEST_CASE(durations_print_as_go_does) {
    BOOST_TEST(format_duration(0ms) == "0s");
    BOOST_TEST(format_duration(1ms) == "1s");
    BOOST_TEST(format_duration(90s) == "1m30s");
    BOOST_TEST(format_duration(3600s) == "1h0m0s");
    BOOST_TEST(format_duration(3723s) == "1h2m3s");
}

BOOST_AUTO_TEST_CASE(timeout_keys_are_read_and_default_to_off) {
    const auto d = config_of("").ssh();
    BOOST_TEST(d.idle_timeout.count() == 0);
    BOOST_TEST(d.max_session_duration.count() == 0);
    BOOST_TEST(d.timeout_warning.count() == 60000);
    const auto s = config_of("ssh:\n  idleTimeout: 15m\n  maxSessionDuration: 8h\n  timeoutWarning: 2m\n").ssh();
    BOOST_TEST(s.idle_timeout.count() == 900000);
    BOOST_TEST(s.max_session_duration.count() == 8 * 3600000);
    BOOST_TEST(s.timeout_warning.count() == 120000);
    BOOST_CHECK_THROW(config_of("ssh:\n  idleTimeout: 10ms\n"), csh::config::ConfigError);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(ssh_client_and_ssh_connection_as_openssh_sets_them) {
    const auto v4 = client_env("192.0.2.7:51234", "10.0.0.1:2222");
    BOOST_TEST(v4.ssh_client == "192.0.2.7 51234 2222");
    BOOST_TEST(v4.ssh_connection == "192.0.2.7 51234 10.0.0.1 2222");
    const auto v6 = client_env("[2001:db8::1]:40000", "[::1]:22");
    BOOST_TEST(v6.ssh_client == "2001:db8::1 40000 22");
    BOOST_TEST(v6.ssh_connection == "2001:db8::1 40000 ::1 22");
}
