#include <signal.h>
#include <sys/stat.h>

#include <boost/test/unit_test.hpp>

#include <sstream>
#include <string>

#include "agent_process.hpp"
#include "file_contents.hpp"
#include "temp_dir.hpp"

using csh::agent::test::AgentOptions;
using csh::agent::test::little_endian_bytes;
using csh::agent::test::run_agent;
using csh::agent::test::RunningAgent;

BOOST_AUTO_TEST_SUITE(console)

BOOST_AUTO_TEST_CASE(pid_writes_four_little_endian_bytes_then_the_program_runs_with_that_pid) {
    // The shell prints its own PID: execve kept the agent's.
    RunningAgent agent({"console", "--pid", "--", "/bin/sh", "-c", "echo \"hello $$\""});
    const auto pid = static_cast<std::uint32_t>(agent.pid());
    const auto result = agent.finish();
    BOOST_TEST(result.exit_code() == 0);
    BOOST_TEST(result.out == little_endian_bytes(pid) + "hello " + std::to_string(pid) + "\n");
    BOOST_TEST(result.err == "");
}

BOOST_AUTO_TEST_CASE(without_pid_nothing_precedes_the_program_output) {
    const auto result = run_agent({"console", "--", "/bin/sh", "-c", "echo plain"});
    BOOST_TEST(result.exit_code() == 0);
    BOOST_TEST(result.out == "plain\n");
}

BOOST_AUTO_TEST_CASE(the_program_exit_code_is_the_process_exit_code) {
    const auto result = run_agent({"console", "--", "/bin/sh", "-c", "exit 42"});
    BOOST_TEST(result.exit_code() == 42);
}

BOOST_AUTO_TEST_CASE(env_variables_reach_the_program) {
    const auto result = run_agent({"console", "--env", "CSH_A=one two", "--env", "CSH_B=x=y", "--", "/bin/sh", "-c",
                                   "printf '%s|%s' \"$CSH_A\" \"$CSH_B\""});
    BOOST_TEST(result.exit_code() == 0);
    BOOST_TEST(result.out == "one two|x=y");
}

BOOST_AUTO_TEST_CASE(env_replaces_an_inherited_variable_and_the_last_one_wins) {
    AgentOptions options;
    options.env = {"PATH=/usr/bin:/bin", "CSH_A=inherited", "CSH_KEEP=kept"};
    const auto result = run_agent({"console", "--env", "CSH_A=first", "--env", "CSH_A=second", "--", "/usr/bin/env"},
                                  {}, options);
    BOOST_TEST(result.exit_code() == 0);
    std::istringstream lines(result.out);
    std::string line;
    int csh_a_lines = 0;
    bool kept = false;
    while (std::getline(lines, line)) {
        if (line.rfind("CSH_A=", 0) == 0) {
            ++csh_a_lines;
            BOOST_TEST(line == "CSH_A=second");
        }
        kept = kept || line == "CSH_KEEP=kept";
    }
    BOOST_TEST(csh_a_lines == 1);
    BOOST_TEST(kept);
}

BOOST_AUTO_TEST_CASE(wait_with_newline_starts_the_program_and_swallows_the_byte) {
    const auto result = run_agent({"console", "--wait", "--", "/bin/cat"}, "\nrest of stdin");
    BOOST_TEST(result.exit_code() == 0);
    BOOST_TEST(result.out == "rest of stdin");
}

BOOST_AUTO_TEST_CASE(wait_with_nul_starts_the_program_and_swallows_the_byte) {
    const auto result = run_agent({"console", "--wait", "--", "/bin/cat"}, std::string("\0\0after", 7));
    BOOST_TEST(result.exit_code() == 0);
    // Only the first NUL is the start byte; the second belongs to the program.
    BOOST_TEST(result.out == std::string("\0after", 6));
}

BOOST_AUTO_TEST_CASE(wait_with_another_byte_exits_2_without_running_the_program) {
    const auto result = run_agent({"console", "--wait", "--", "/bin/sh", "-c", "echo ran"}, "x\n");
    BOOST_TEST(result.exit_code() == 2);
    BOOST_TEST(result.out == "");
    BOOST_TEST(result.err != "");
}

BOOST_AUTO_TEST_CASE(wait_with_eof_exits_2) {
    const auto result = run_agent({"console", "--wait", "--", "/bin/sh", "-c", "echo ran"}, "");
    BOOST_TEST(result.exit_code() == 2);
    BOOST_TEST(result.out == "");
    BOOST_TEST(result.err != "");
}

BOOST_AUTO_TEST_CASE(wait_comes_before_the_pid) {
    RunningAgent agent({"console", "--pid", "--wait", "--", "/bin/cat"});
    const auto pid = static_cast<std::uint32_t>(agent.pid());
    agent.feed_and_close_stdin(std::string("\0abc", 4));
    const auto result = agent.finish();
    BOOST_TEST(result.exit_code() == 0);
    BOOST_TEST(result.out == little_endian_bytes(pid) + "abc");
}

BOOST_AUTO_TEST_CASE(pid_write_failure_exits_3_instead_of_dying_by_sigpipe) {
    AgentOptions options;
    options.stdout_without_reader = true;
    const auto result = run_agent({"console", "--pid", "--", "/bin/sh", "-c", "exit 0"}, {}, options);
    BOOST_TEST(result.killed_by() == 0);
    BOOST_TEST(result.exit_code() == 3);
    BOOST_TEST(result.err != "");
}

BOOST_AUTO_TEST_CASE(sigpipe_disposition_is_restored_for_the_program) {
    // --pid ignores SIGPIPE while writing; the program must not inherit that
    // (it would see EPIPE instead of dying quietly when its reader goes away).
    // The agent starts with every disposition at default, so the program's
    // ignored set must be empty.
    RunningAgent agent({"console", "--pid", "--", "/bin/grep", "SigIgn:", "/proc/self/status"});
    const auto pid = static_cast<std::uint32_t>(agent.pid());
    const auto result = agent.finish();
    BOOST_TEST(result.exit_code() == 0);
    BOOST_REQUIRE(result.out.size() > 4);
    BOOST_TEST(result.out.substr(0, 4) == little_endian_bytes(pid));
    const auto line = result.out.substr(4);
    BOOST_REQUIRE(line.rfind("SigIgn:", 0) == 0);
    BOOST_TEST(std::stoull(line.substr(7), nullptr, 16) == 0u);
}

BOOST_AUTO_TEST_CASE(missing_program_exits_127_with_a_message) {
    const auto result = run_agent({"console", "--", "/nonexistent/program", "arg"});
    BOOST_TEST(result.exit_code() == 127);
    BOOST_TEST(result.err.find("/nonexistent/program") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_bare_name_is_not_looked_up_in_path) {
    // Like ContainerSSH's agent (execve): PROGRAM is a path.
    AgentOptions options;
    options.env = {"PATH=/usr/bin:/bin"};
    const auto result = run_agent({"console", "--", "sh", "-c", "true"}, {}, options);
    BOOST_TEST(result.exit_code() == 127);
}

BOOST_AUTO_TEST_CASE(a_file_without_execute_permission_exits_127) {
    csh::test::TempDir dir;
    const auto script = dir.file("script.sh");
    csh::test::write_file(script, "#!/bin/sh\necho should not run\n");
    ::chmod(script.c_str(), 0644);
    const auto result = run_agent({"console", "--", script});
    BOOST_TEST(result.exit_code() == 127);
    BOOST_TEST(result.out == "");
}

BOOST_AUTO_TEST_CASE(arguments_after_the_separator_are_passed_untouched) {
    const auto result = run_agent({"console", "--", "/bin/echo", "--wait", "--pid", "--", "--env"});
    BOOST_TEST(result.exit_code() == 0);
    BOOST_TEST(result.out == "--wait --pid -- --env\n");
}

BOOST_AUTO_TEST_SUITE_END()
