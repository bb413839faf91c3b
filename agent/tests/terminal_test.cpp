// The agent on a terminal, as the Docker backend runs it for `ssh -t`: the
// PID goes out raw (no output processing), the start byte of --wait is
// neither echoed nor held for a line end, and the program gets the terminal
// settings as they were.
#include <boost/test/unit_test.hpp>

#include "agent_process.hpp"

#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

using csh::agent::test::little_endian_bytes;

namespace {

struct TerminalRun {
    int exit_code = -1;
    pid_t pid = -1;
    std::string out;  // everything the terminal showed
};

bool echo_on(int master) {
    termios t{};
    return ::tcgetattr(master, &t) == 0 && (t.c_lflag & ECHO) != 0;
}

// Waits until the terminal's ECHO flag is `on` (the pty master sees the
// settings the agent makes on its side).
void wait_for_echo(int master, bool on) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (echo_on(master) != on && std::chrono::steady_clock::now() < deadline) ::usleep(1000);
    BOOST_REQUIRE(echo_on(master) == on);
}

// Runs the agent on a new pty (OPOST, ECHO and ICANON on, as a fresh
// terminal has them). With a `start_byte`, writes it once the agent has
// turned echo off to wait for it, then `typed` once echo is back.
TerminalRun run_on_terminal(const std::vector<std::string>& args, const std::string& start_byte = {},
                            const std::string& typed = {}, const std::vector<std::string>& env = {},
                            std::chrono::milliseconds resize_after = std::chrono::milliseconds(-1)) {
    int master = -1;
    const pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
    BOOST_REQUIRE(pid >= 0);
    if (pid == 0) {
        for (const auto& assignment : env) ::putenv(const_cast<char*>(assignment.c_str()));
        std::vector<char*> argv;
        std::string binary = csh::agent::test::agent_binary();
        argv.push_back(binary.data());
        std::vector<std::string> copies(args);
        for (auto& a : copies) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(binary.c_str(), argv.data());
        ::_exit(126);
    }
    TerminalRun run;
    run.pid = pid;
    auto type = [master](const std::string& bytes) {
        BOOST_REQUIRE(::write(master, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
    };
    if (!start_byte.empty()) {
        wait_for_echo(master, false);
        type(start_byte);
    }
    if (!typed.empty()) {
        wait_for_echo(master, true);
        type(typed);
    }
    if (resize_after.count() >= 0) {
        // Long enough for a program that does not wait to have run already.
        std::this_thread::sleep_for(resize_after);
        winsize size{};
        size.ws_row = 24;
        size.ws_col = 80;
        BOOST_REQUIRE(::ioctl(master, TIOCSWINSZ, &size) == 0);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    char buffer[4096];
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{master, POLLIN, 0};
        if (::poll(&p, 1, 200) <= 0) {
            int status = 0;
            if (::waitpid(pid, &status, WNOHANG) == pid) {
                run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                break;
            }
            continue;
        }
        const ssize_t n = ::read(master, buffer, sizeof buffer);
        if (n <= 0) {  // EIO: the terminal's last user left
            int status = 0;
            ::waitpid(pid, &status, 0);
            run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            break;
        }
        run.out.append(buffer, static_cast<size_t>(n));
    }
    ::close(master);
    return run;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(terminal)

BOOST_AUTO_TEST_CASE(the_pid_goes_out_raw_and_the_program_gets_output_processing_back) {
    const auto run = run_on_terminal({"console", "--pid", "--", "/bin/echo", "hi"});
    BOOST_TEST(run.exit_code == 0);
    // "\n" became "\r\n" for the program: OPOST was restored before exec.
    BOOST_TEST(run.out == little_endian_bytes(static_cast<std::uint32_t>(run.pid)) + "hi\r\n");
}

BOOST_AUTO_TEST_CASE(the_start_byte_is_not_echoed_and_the_program_sees_a_normal_terminal) {
    // The program reads a line: the terminal is canonical with echo again.
    const auto run = run_on_terminal({"console", "--wait", "--", "/bin/sh", "-c", "read line; echo got=$line"},
                                     "\n", "typed\n");
    BOOST_TEST(run.exit_code == 0);
    BOOST_TEST(run.out == "typed\r\ngot=typed\r\n");
}

BOOST_AUTO_TEST_CASE(a_nul_start_byte_works_without_a_line_end) {
    const auto run = run_on_terminal({"console", "--wait", "--", "/bin/echo", "started"}, std::string(1, '\0'));
    BOOST_TEST(run.exit_code == 0);
    BOOST_TEST(run.out == "started\r\n");
}

BOOST_AUTO_TEST_CASE(with_the_backends_variable_the_program_starts_on_a_sized_terminal) {
    // The terminal starts 0x0; the "backend" sizes it a moment later.
    const auto run = run_on_terminal({"console", "--pid", "--", "/bin/sh", "-c",
                                      "stty size; echo \"left=${CONTAINERSSH_AGENT_AWAIT_TERMINAL_SIZE:-none}\""},
                                     {}, {}, {"CONTAINERSSH_AGENT_AWAIT_TERMINAL_SIZE=1"},
                                     std::chrono::milliseconds(300));
    BOOST_TEST(run.exit_code == 0);
    BOOST_TEST(run.out == little_endian_bytes(static_cast<std::uint32_t>(run.pid)) + "24 80\r\nleft=none\r\n");
}

BOOST_AUTO_TEST_SUITE_END()
