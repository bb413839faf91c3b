#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include <string>

#include "agent_process.hpp"
#include "proc_status.hpp"

using csh::agent::test::AgentOptions;
using csh::agent::test::pending_signals;
using csh::agent::test::process_state;
using csh::agent::test::RunningAgent;
using csh::agent::test::signal_bit;
using csh::agent::test::wait_until_blocked;

namespace {

// The agent blocks every signal first and then sleeps in sigwaitinfo, which
// unblocks the awaited ones while it sleeps; so readiness shows on a signal
// these tests never request: once SIGQUIT is blocked, a requested signal is
// either blocked-and-pending or awaited, and can no longer be lost.
void wait_until_ready(pid_t agent) { wait_until_blocked(agent, SIGQUIT); }

}  // namespace

BOOST_AUTO_TEST_SUITE(wait_signal)

BOOST_AUTO_TEST_CASE(the_requested_signal_ends_it_with_exit_0_and_the_message) {
    RunningAgent agent({"wait-signal", "--signal", "INT", "--message", "bye"});
    wait_until_ready(agent.pid());
    BOOST_REQUIRE(::kill(agent.pid(), SIGINT) == 0);
    const auto result = agent.finish();
    BOOST_TEST(result.exit_code() == 0);
    BOOST_TEST(result.out == "bye");
    BOOST_TEST(result.err == "");
}

BOOST_AUTO_TEST_CASE(any_of_several_requested_signals_ends_it) {
    // The gateway's default idle command: no --message.
    RunningAgent agent({"wait-signal", "--signal", "INT", "--signal", "TERM"});
    wait_until_ready(agent.pid());
    BOOST_REQUIRE(::kill(agent.pid(), SIGTERM) == 0);
    const auto result = agent.finish();
    BOOST_TEST(result.exit_code() == 0);
    BOOST_TEST(result.out == "");
}

BOOST_AUTO_TEST_CASE(unrequested_signals_neither_end_nor_kill_it) {
    RunningAgent agent({"wait-signal", "--signal", "INT", "--message", "done"});
    wait_until_ready(agent.pid());
    // Signals whose default action would terminate a process that is not PID 1.
    BOOST_REQUIRE(::kill(agent.pid(), SIGUSR1) == 0);
    BOOST_REQUIRE(::kill(agent.pid(), SIGTERM) == 0);
    BOOST_REQUIRE(::kill(agent.pid(), SIGHUP) == 0);
    // Still pending, not acted upon: the agent is alive and has not exited.
    const auto unrequested = signal_bit(SIGUSR1) | signal_bit(SIGTERM) | signal_bit(SIGHUP);
    BOOST_TEST((pending_signals(agent.pid()) & unrequested) == unrequested);
    const char state = process_state(agent.pid());
    BOOST_TEST((state != 0 && state != 'Z'));

    BOOST_REQUIRE(::kill(agent.pid(), SIGINT) == 0);
    const auto result = agent.finish();
    BOOST_TEST(result.killed_by() == 0);
    BOOST_TEST(result.exit_code() == 0);
    BOOST_TEST(result.out == "done");
}

BOOST_AUTO_TEST_CASE(exited_children_are_reaped_while_waiting) {
    // The agent inherits a child from the process it replaces, as PID 1
    // inherits orphans. The child exits once told to through `go`.
    int go[2];
    BOOST_REQUIRE(::pipe2(go, O_CLOEXEC) == 0);
    pid_t orphan = -1;
    int orphan_pid_pipe[2];
    BOOST_REQUIRE(::pipe2(orphan_pid_pipe, O_CLOEXEC) == 0);
    AgentOptions options;
    options.before_exec = [&] {
        const pid_t child = ::fork();
        if (child == 0) {
            // Keep none of the agent's pipes open, so finish() sees EOF.
            const int null = ::open("/dev/null", O_RDWR);
            ::dup2(null, STDIN_FILENO);
            ::dup2(null, STDOUT_FILENO);
            ::dup2(null, STDERR_FILENO);
            char byte = 0;
            (void)!::read(go[0], &byte, 1);
            ::_exit(0);
        }
        (void)!::write(orphan_pid_pipe[1], &child, sizeof(child));
    };
    RunningAgent agent({"wait-signal", "--signal", "INT"}, options);
    BOOST_REQUIRE(::read(orphan_pid_pipe[0], &orphan, sizeof(orphan)) == static_cast<ssize_t>(sizeof(orphan)));
    BOOST_REQUIRE(orphan > 0);
    wait_until_ready(agent.pid());

    BOOST_REQUIRE(::write(go[1], "g", 1) == 1);
    // Gone from /proc only once reaped; a zombie ('Z') stays listed. Bounded
    // by the test timeout if the agent never reaps.
    while (process_state(orphan) != 0) {
        const timespec one_millisecond{0, 1000 * 1000};
        ::nanosleep(&one_millisecond, nullptr);
    }
    const char agent_state = process_state(agent.pid());
    BOOST_TEST((agent_state != 0 && agent_state != 'Z'));

    BOOST_REQUIRE(::kill(agent.pid(), SIGINT) == 0);
    const auto result = agent.finish();
    BOOST_TEST(result.exit_code() == 0);
    for (int fd : {go[0], go[1], orphan_pid_pipe[0], orphan_pid_pipe[1]}) ::close(fd);
}

BOOST_AUTO_TEST_SUITE_END()
