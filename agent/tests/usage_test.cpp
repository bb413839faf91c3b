#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "agent_process.hpp"

using csh::agent::test::run_agent;

BOOST_AUTO_TEST_SUITE(usage)

BOOST_AUTO_TEST_CASE(no_mode_prints_usage_on_stderr_and_exits_1) {
    const auto result = run_agent({});
    BOOST_TEST(result.exit_code() == 1);
    BOOST_TEST(result.out == "");
    BOOST_TEST(result.err.find("Usage: containerssh-agent") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_unknown_mode_exits_1) {
    const auto result = run_agent({"frobnicate"});
    BOOST_TEST(result.exit_code() == 1);
    BOOST_TEST(result.out == "");
    BOOST_TEST(result.err.find("frobnicate") != std::string::npos);
    BOOST_TEST(result.err.find("Usage:") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(help_prints_usage_on_stdout_and_exits_0) {
    for (const char* flag : {"--help", "-h"}) {
        BOOST_TEST_CONTEXT(flag) {
            const auto result = run_agent({flag});
            BOOST_TEST(result.exit_code() == 0);
            BOOST_TEST(result.err == "");
            for (const char* mode : {"console", "signal", "wait-signal", "write-file", "forward-server"}) {
                BOOST_TEST(result.out.find(mode) != std::string::npos);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(forward_server_takes_no_arguments) {
    const auto result = run_agent({"forward-server", "--listen"});
    BOOST_TEST(result.exit_code() == 1);
    BOOST_TEST(result.out == "");
    BOOST_TEST(result.err.find("forward-server takes no arguments") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(malformed_console_and_wait_signal_command_lines_exit_1) {
    const std::vector<std::vector<std::string>> command_lines = {
        {"console"},
        {"console", "--"},
        {"console", "/bin/true"},
        {"console", "--pid", "--wait"},
        {"console", "--env"},
        {"console", "--env", "NO_EQUALS_SIGN", "--", "/bin/true"},
        {"console", "--env", "=value", "--", "/bin/true"},
        {"console", "--env", "--X=1", "--", "/bin/true"},
        {"console", "--frobnicate", "--", "/bin/true"},
        {"wait-signal"},
        {"wait-signal", "--message", "text"},
        {"wait-signal", "--signal"},
        {"wait-signal", "--signal", "BOGUS"},
        {"wait-signal", "--signal", "SIGINT"},
        {"wait-signal", "--signal", "INT", "--message"},
        {"wait-signal", "--signal", "INT", "--forever"},
    };
    for (const auto& command_line : command_lines) {
        std::string shown;
        for (const auto& arg : command_line) shown += " '" + arg + "'";
        BOOST_TEST_CONTEXT("arguments" << shown) {
            const auto result = run_agent(command_line);
            BOOST_TEST(result.exit_code() == 1);
            BOOST_TEST(result.out == "");
            BOOST_TEST(result.err != "");
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
