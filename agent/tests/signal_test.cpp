#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include <string>
#include <utility>

#include "agent_process.hpp"
#include "proc_status.hpp"

using csh::agent::test::fork_child;
using csh::agent::test::pending_signals;
using csh::agent::test::run_agent;
using csh::agent::test::signal_bit;

namespace {

// A child that sleeps until a signal ends it.
pid_t sleeping_child() {
    return fork_child([] {
        for (;;) ::pause();
    });
}

// A child that blocks every signal, so whatever arrives stays pending where
// /proc shows it. Returns once the mask is in place.
pid_t blocking_child() {
    int ready[2];
    BOOST_REQUIRE(::pipe(ready) == 0);
    const pid_t child = fork_child([&] {
        sigset_t all;
        ::sigfillset(&all);
        ::sigprocmask(SIG_SETMASK, &all, nullptr);
        (void)!::write(ready[1], "r", 1);
        for (;;) ::pause();
    });
    char byte = 0;
    BOOST_REQUIRE(::read(ready[0], &byte, 1) == 1);
    ::close(ready[0]);
    ::close(ready[1]);
    return child;
}

int reap(pid_t child) {
    int status = 0;
    BOOST_REQUIRE(::waitpid(child, &status, 0) == child);
    return status;
}

void kill_and_reap(pid_t child) {
    ::kill(child, SIGKILL);
    reap(child);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(signal_mode)

BOOST_AUTO_TEST_CASE(term_ends_a_sleeping_process) {
    const pid_t child = sleeping_child();
    const auto result = run_agent({"signal", "--pid", std::to_string(child), "--signal", "TERM"});
    BOOST_TEST(result.exit_code() == 0);
    BOOST_TEST(result.err == "");
    const int status = reap(child);
    BOOST_TEST(WIFSIGNALED(status));
    BOOST_TEST(WTERMSIG(status) == SIGTERM);
}

BOOST_AUTO_TEST_CASE(kill_ends_a_process) {
    const pid_t child = sleeping_child();
    const auto result = run_agent({"signal", "--signal", "KILL", "--pid", std::to_string(child)});
    BOOST_TEST(result.exit_code() == 0);
    const int status = reap(child);
    BOOST_TEST(WIFSIGNALED(status));
    BOOST_TEST(WTERMSIG(status) == SIGKILL);
}

BOOST_AUTO_TEST_CASE(every_name_delivers_exactly_its_signal) {
    const std::pair<const char*, int> names[] = {
        {"ABRT", SIGABRT}, {"ALRM", SIGALRM}, {"FPE", SIGFPE},   {"HUP", SIGHUP},   {"ILL", SIGILL},  {"INT", SIGINT},
        {"PIPE", SIGPIPE}, {"QUIT", SIGQUIT}, {"SEGV", SIGSEGV}, {"TERM", SIGTERM}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2},
    };
    for (const auto& [name, number] : names) {
        BOOST_TEST_CONTEXT("signal " << name) {
            const pid_t child = blocking_child();
            const auto result = run_agent({"signal", "--pid", std::to_string(child), "--signal", name});
            BOOST_TEST(result.exit_code() == 0);
            // kill() marks the signal pending before it returns.
            BOOST_TEST(pending_signals(child) == signal_bit(number));
            kill_and_reap(child);
        }
    }
}

BOOST_AUTO_TEST_CASE(unknown_signal_names_exit_1_and_send_nothing) {
    const pid_t child = blocking_child();
    for (const char* name : {"SIGTERM", "term", "STOP", "CHLD", "9", ""}) {
        BOOST_TEST_CONTEXT("signal name '" << name << "'") {
            const auto result = run_agent({"signal", "--pid", std::to_string(child), "--signal", name});
            BOOST_TEST(result.exit_code() == 1);
            BOOST_TEST(result.err != "");
        }
    }
    BOOST_TEST(pending_signals(child) == 0u);
    kill_and_reap(child);
}

BOOST_AUTO_TEST_CASE(a_reaped_process_exits_2) {
    const pid_t child = fork_child([] {});
    reap(child);
    const auto result = run_agent({"signal", "--pid", std::to_string(child), "--signal", "TERM"});
    BOOST_TEST(result.exit_code() == 2);
    BOOST_TEST(result.err != "");
}

BOOST_AUTO_TEST_CASE(malformed_pids_exit_1) {
    // A PID beyond pid_max: if parsing wrongly accepted it, kill() would say
    // ESRCH (exit 2), not 1, and nothing real could be hit.
    for (const char* pid : {"0", "-1", "-5", "abc", "12x", " 12", "", "+", "99999999999"}) {
        BOOST_TEST_CONTEXT("pid '" << pid << "'") {
            const auto result = run_agent({"signal", "--pid", pid, "--signal", "TERM"});
            BOOST_TEST(result.exit_code() == 1);
            BOOST_TEST(result.err != "");
        }
    }
}

BOOST_AUTO_TEST_CASE(incomplete_or_repeated_options_exit_1) {
    const std::vector<std::vector<std::string>> command_lines = {
        {"signal"},
        {"signal", "--pid", "99999999"},
        {"signal", "--signal", "TERM"},
        {"signal", "--pid"},
        {"signal", "--pid", "99999999", "--signal"},
        {"signal", "--pid", "99999999", "--pid", "99999998", "--signal", "TERM"},
        {"signal", "--pid", "99999999", "--signal", "TERM", "--force"},
    };
    for (const auto& command_line : command_lines) {
        BOOST_TEST_CONTEXT("arguments " << command_line.size()) {
            const auto result = run_agent(command_line);
            BOOST_TEST(result.exit_code() == 1);
            BOOST_TEST(result.err != "");
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
