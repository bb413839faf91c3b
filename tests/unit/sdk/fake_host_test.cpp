// FakeHost's loop, metrics, config and audit services, driven through the
// SDK's Host wrapper as a plugin would use them.
#include "probe_plugin.hpp"

#include <containerssh/sdk/host.hpp>
#include <containerssh/sdk/testing/fake_host.hpp>

#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

using csh::sdk::testing::FakeHost;
using namespace std::chrono_literals;

namespace {

struct HostFixture {
    HostFixture() { fake.register_codes(probe::kMessageTable, std::size(probe::kMessageTable)); }
    FakeHost fake;
    csh::sdk::Host host{fake.host(), probe::codes::PROBE_INTERNAL_ERROR};
};

struct PipeFds {
    PipeFds() {
        int fds[2];
        if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
        read_end = fds[0];
        write_end = fds[1];
    }
    ~PipeFds() {
        ::close(read_end);
        ::close(write_end);
    }
    int read_end;
    int write_end;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(fake_host, HostFixture)

BOOST_AUTO_TEST_CASE(posts_run_in_order_including_posts_from_posts) {
    csh_strand* strand = host.strand_create();
    std::vector<int> order;
    host.post(strand, [&] {
        order.push_back(1);
        host.post(strand, [&] { order.push_back(4); });
    });
    host.post(strand, [&] { order.push_back(2); });
    host.post(nullptr, [&] { order.push_back(3); });
    BOOST_TEST(order.empty());  // never before post returns
    BOOST_TEST(fake.run_until_idle() == 4u);
    BOOST_TEST(order == (std::vector<int>{1, 2, 3, 4}));
    host.strand_destroy(strand);
    BOOST_TEST(fake.misuse().empty());
}

BOOST_AUTO_TEST_CASE(an_exception_in_a_posted_task_is_logged) {
    host.post(nullptr, [] { throw std::runtime_error("task failed"); });
    fake.run_until_idle();
    const auto lines = fake.lines_with_code(probe::codes::PROBE_INTERNAL_ERROR);
    BOOST_TEST_REQUIRE(lines.size() == 1u);
    BOOST_TEST(lines[0].field("where") == "loop.post");
    BOOST_TEST(lines[0].message.find("task failed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(timers_fire_by_deadline_and_cancelled_ones_never) {
    std::vector<std::string> fired;
    csh::sdk::Timer late = host.timer_start(nullptr, 30ms, [&] { fired.push_back("late"); });
    csh::sdk::Timer cancelled = host.timer_start(nullptr, 1ms, [&] { fired.push_back("cancelled"); });
    host.run_after(nullptr, 0ms, [&] { fired.push_back("soon"); });
    cancelled.cancel();
    BOOST_TEST(!cancelled);
    BOOST_TEST(late.armed());
    BOOST_TEST(fake.pending_timers() == 2u);
    BOOST_TEST(fake.run_until([&] { return fired.size() == 2; }));
    BOOST_TEST(fired == (std::vector<std::string>{"soon", "late"}));
    BOOST_TEST(fake.pending_timers() == 0u);
    BOOST_TEST(fake.misuse().empty());
}

BOOST_AUTO_TEST_CASE(a_timer_cancelled_after_it_fired_or_from_its_own_callback_is_left_alone) {
    // The C handle is freed when the timer fires: cancelling it then used to
    // free the SDK's box a second time. The fake host records any
    // timer_cancel of a handle that is gone as misuse.
    int runs = 0;
    csh::sdk::Timer fired_one = host.timer_start(nullptr, 0ms, [&] { ++runs; });
    csh::sdk::Timer self_cancelling;
    self_cancelling = host.timer_start(nullptr, 0ms, [&] {
        ++runs;
        self_cancelling.cancel();
    });
    BOOST_TEST(fake.run_until([&] { return runs == 2; }));
    BOOST_TEST(!fired_one.armed());
    fired_one.cancel();
    fired_one.cancel();
    BOOST_TEST(fake.misuse().empty());
}

BOOST_AUTO_TEST_CASE(a_timer_is_cancelled_when_its_handle_goes_and_moves_keep_it_armed) {
    int runs = 0;
    { csh::sdk::Timer dropped = host.timer_start(nullptr, 0ms, [&] { ++runs; }); }
    csh::sdk::Timer first = host.timer_start(nullptr, 0ms, [&] { runs += 10; });
    csh::sdk::Timer moved = std::move(first);
    BOOST_TEST(!first.armed());
    BOOST_TEST(moved.armed());
    BOOST_TEST(fake.pending_timers() == 1u);
    BOOST_TEST(fake.run_until([&] { return runs != 0; }));
    BOOST_TEST(runs == 10);
    BOOST_TEST(fake.misuse().empty());
}

BOOST_AUTO_TEST_CASE(fd_watches_fire_on_a_pipe_and_stop_from_their_callback) {
    PipeFds pipe;
    std::vector<uint32_t> readiness;
    std::string received;
    csh::sdk::FdWatch watch;
    watch = host.fd_watch_start(nullptr, pipe.read_end, CSH_FD_READ, [&](uint32_t ready) {
        readiness.push_back(ready);
        char buffer[16];
        const ssize_t n = ::read(pipe.read_end, buffer, sizeof buffer);
        if (n > 0) received.append(buffer, static_cast<size_t>(n));
        if (received == "xy") watch.stop();
    });
    BOOST_TEST(fake.run_until_idle() == 0u);  // nothing to read yet
    BOOST_TEST(::write(pipe.write_end, "x", 1) == 1);
    BOOST_TEST(fake.run_until([&] { return received == "x"; }));
    BOOST_TEST((readiness.at(0) & CSH_FD_READ) != 0u);

    watch.update(0);  // paused: data waits
    BOOST_TEST(::write(pipe.write_end, "y", 1) == 1);
    fake.run_until_idle();
    BOOST_TEST(received == "x");
    BOOST_TEST_REQUIRE(fake.watches().size() == 1u);
    BOOST_TEST(fake.watches()[0].events == 0u);

    watch.update(CSH_FD_READ);
    BOOST_TEST(fake.run_until([&] { return received == "xy"; }));
    BOOST_TEST(!watch.active());
    BOOST_TEST(fake.watches().empty());
    BOOST_TEST(::write(pipe.write_end, "z", 1) == 1);
    fake.run_until_idle();
    BOOST_TEST(received == "xy");
    BOOST_TEST(fake.misuse().empty());
}

BOOST_AUTO_TEST_CASE(a_write_watch_reports_writable) {
    PipeFds pipe;
    uint32_t seen = 0;
    csh::sdk::FdWatch watch = host.fd_watch_start(nullptr, pipe.write_end, CSH_FD_WRITE, [&](uint32_t ready) {
        seen = ready;
        watch.stop();
    });
    BOOST_TEST(fake.run_until_idle() == 1u);
    BOOST_TEST(seen == CSH_FD_WRITE);
}

BOOST_AUTO_TEST_CASE(metrics_are_kept_in_memory) {
    const csh::sdk::Metric counter =
        host.metric_define(CSH_METRIC_COUNTER, "probe_requests_total", "Requests.", "", {"method"});
    BOOST_TEST_REQUIRE(static_cast<bool>(counter));
    BOOST_TEST(host.metric_define(CSH_METRIC_COUNTER, "probe_requests_total", "Requests.", "", {"method"}).handle() ==
               counter.handle());
    BOOST_TEST(!host.metric_define(CSH_METRIC_GAUGE, "probe_requests_total", "Requests.", "", {"method"}));
    const csh::sdk::Metric gauge = host.metric_define(CSH_METRIC_GAUGE, "probe_open", "Open things.", "");

    host.metric_add(counter, {"password"}, 1);
    host.metric_add(counter, {"password"}, 2);
    host.metric_add(counter, {"pubkey"}, 1);
    host.metric_set(gauge, {}, 7);

    BOOST_TEST(fake.metric_value("probe_requests_total", {{"method", "password"}}).value_or(-1) == 3.0);
    BOOST_TEST(fake.metric_value("probe_requests_total", {{"method", "pubkey"}}).value_or(-1) == 1.0);
    BOOST_TEST(fake.metric_value("probe_open").value_or(-1) == 7.0);
    const auto samples = fake.collect();
    BOOST_TEST_REQUIRE(samples.size() == 3u);
    BOOST_TEST(samples[2].name == "probe_open");
    BOOST_TEST(samples[2].type == CSH_METRIC_GAUGE);
    BOOST_TEST(fake.misuse().empty());
}

BOOST_AUTO_TEST_CASE(config_sections_come_from_the_map) {
    fake.set_section("local", R"({"shell":["/bin/bash"]})");
    BOOST_TEST(host.config_section("local") == R"({"shell":["/bin/bash"]})");
    BOOST_TEST(host.config_section("docker") == "null");
}

BOOST_AUTO_TEST_CASE(audit_emissions_are_recorded) {
    const uint8_t data[] = {0, 1, 2};
    csh_audit_field fields[2]{};
    fields[0].key = {"stream", 6};
    fields[0].type = CSH_AUDIT_VALUE_UINT;
    fields[0].value.uint_value = 1;
    fields[1].key = {"data", 4};
    fields[1].type = CSH_AUDIT_VALUE_BYTES;
    fields[1].value.bytes = {data, sizeof data};
    csh_audit_event event{sizeof(csh_audit_event), CSH_AUDIT_IO, 0, 3, {"", 0}, fields, 2};
    auto* connection = reinterpret_cast<csh_connection*>(&event);
    host.audit_emit(connection, event);
    const auto events = fake.audit_events();
    BOOST_TEST_REQUIRE(events.size() == 1u);
    BOOST_TEST(events[0].connection == connection);
    BOOST_TEST(events[0].type == CSH_AUDIT_IO);
    BOOST_TEST(events[0].channel_id == 3);
    BOOST_TEST_REQUIRE(events[0].payload.size() == 2u);
    BOOST_TEST(events[0].payload[0].uint_value == 1u);
    BOOST_TEST(events[0].payload[1].text == std::string("\0\1\2", 3));
}

BOOST_AUTO_TEST_CASE(logging_with_an_unregistered_code_is_reported) {
    host.log("NOT_A_CODE", "hello");
    host.log(probe::codes::PROBE_READY, "fine", {{"k", "v"}});
    BOOST_TEST(fake.misuse().size() == 1u);
    const auto lines = fake.log_lines();
    BOOST_TEST_REQUIRE(lines.size() == 2u);
    BOOST_TEST(!lines[0].registered);
    BOOST_TEST(lines[1].level == CSH_LOG_DEBUG);
    BOOST_TEST(lines[1].field("k") == "v");
    fake.set_log_level(CSH_LOG_INFO);
    BOOST_TEST(!host.enabled(probe::codes::PROBE_READY));
    BOOST_TEST(host.enabled(probe::codes::PROBE_INTERNAL_ERROR));
}

BOOST_AUTO_TEST_SUITE_END()
