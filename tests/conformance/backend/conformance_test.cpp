// The backend conformance suite: what every backend must do for the person
// at the SSH client, checked end to end through the real gateway and the
// real OpenSSH client (asyncssh where OpenSSH cannot send a request). One
// run checks one backend, chosen on the command line (backend_under_test.hpp).
// Two programs run these cases, so main is theirs: conformance_backend in the
// build tree (main.cpp) and the installed containerssh-conformance
// (containerssh_conformance.cpp).
#define BOOST_TEST_MODULE conformance_backend
#include <boost/test/results_collector.hpp>
#include <boost/test/unit_test.hpp>

#include "backend_under_test.hpp"
#include "harness/configs.hpp"
#include "harness/forwarding.hpp"
#include "harness/gateway.hpp"
#include "harness/probes.hpp"

#include <atomic>
#include <csignal>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

using namespace csh::test;
using csh::conformance::backend_under_test;

namespace {

constexpr auto kSshTimeout = std::chrono::seconds(180);

std::string client(const char* name) { return clients_dir() + "/" + name; }

// The gateway's configuration after the harness's sections: static password
// auth for one user, then the backend under test.
std::string subject_config(const std::string& user, const std::string& password) {
    return static_auth({user, password, ""}) + backend_under_test().config;
}

// The log the gateway wrote before it gave up, one "CODE: message" a line:
// the gateway's own words for a plugin that did not load or a section it refused.
std::string codes_and_messages(const std::string& log) {
    std::istringstream lines(log);
    std::string line, out;
    while (std::getline(lines, line)) {
        const auto code = json_field(line, "code");
        out += "  " + (code.empty() ? line : code + ": " + json_field(line, "message")) + "\n";
    }
    return out;
}

// Picks the backend from the arguments after `--`, then starts the gateway
// with it once: a plugin that does not load, or a configuration it refuses,
// is one error with the gateway's codes instead of every case failing alike.
struct ChooseBackend {
    ChooseBackend() {
        const auto& suite = boost::unit_test::framework::master_test_suite();
        csh::conformance::set_backend_under_test(csh::conformance::choose_backend(suite.argc, suite.argv));
        BOOST_TEST_MESSAGE("backend under test: " << backend_under_test().name);
        try {
            Gateway gateway(subject_config("conformance", "conformance"));
            gateway.stop(SIGTERM);
        } catch (const std::runtime_error& e) {
            throw std::runtime_error("the gateway does not start with the backend under test (" +
                                     backend_under_test().name + "):\n" + codes_and_messages(e.what()));
        }
    }
};


// A gateway with static password auth and the backend under test, for a
// user of its own, so whatever the backend runs for this test is told apart
// from other tests'. Every test ends with nothing of its user left running.
class Subject {
public:
    explicit Subject(const std::string& extra_yaml = "")
        : user_("conf" + random_hex(10)), gateway_(subject_config(user_, password_) + extra_yaml) {}

    ~Subject() {
        const auto left = eventually([&] { return backend_under_test().left_behind(user_, "").empty(); },
                                     std::chrono::seconds(90));
        BOOST_TEST(left, "the backend left something running for " << user_);
        if (current_test_failed()) {
            std::cerr << "---- gateway log (" << user_ << ") ----\n";
            for (const auto& line : gateway_.lines()) std::cerr << line << "\n";
            std::cerr << "---- end of gateway log ----\n";
        }
    }

    Gateway& gateway() { return gateway_; }
    SshLogin login() const { return {user_, password_, {}}; }
    const std::string& user() const { return user_; }

    RunResult ssh(const std::vector<std::string>& options, const std::vector<std::string>& command,
                  const std::string& input = "", const std::map<std::string, std::string>& extra_env = {}) {
        auto env = ssh_env(gateway_, login());
        for (const auto& [k, v] : extra_env) env[k] = v;
        return run(ssh_command(gateway_, login(), options, command), input, env, kSshTimeout);
    }
    // A client script of tests/integration/clients, given the port and the login.
    RunResult script(const char* name, const std::vector<std::string>& args) {
        std::vector<std::string> argv{client(name), std::to_string(gateway_.port()), user_, password_};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv, "", {}, std::chrono::seconds(300));
    }

private:
    std::string user_;
    std::string password_ = "conformance";
    Gateway gateway_;
};

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(BrokenPipesDoNotKill);
BOOST_TEST_GLOBAL_FIXTURE(ChooseBackend);

BOOST_FIXTURE_TEST_SUITE(exec, Subject)

BOOST_AUTO_TEST_CASE(output_and_exit_code_come_back) {
    const auto r = ssh({}, {"echo hello; exit 3"});
    BOOST_TEST_CONTEXT(describe(r)) {
        BOOST_TEST(r.out == "hello\n");
        BOOST_TEST(r.err == "");
        BOOST_TEST(r.exit_code == 3);
    }
}

BOOST_AUTO_TEST_CASE(stderr_is_kept_apart_from_stdout) {
    const auto r = ssh({}, {"echo out; echo err >&2; echo out2; echo err2 >&2"});
    BOOST_TEST_CONTEXT(describe(r)) {
        BOOST_TEST(r.out == "out\nout2\n");
        BOOST_TEST(r.err == "err\nerr2\n");
        BOOST_TEST(r.exit_code == 0);
    }
}

BOOST_AUTO_TEST_CASE(sixteen_mebibytes_of_stdin_round_trip_with_their_checksum) {
    const auto input = random_bytes(16u << 20);
    TempDir dir;
    write_file(dir.path() / "in.bin", input);
    const auto local = run({"sha256sum", dir.file("in.bin")});
    const auto echoed = ssh({}, {"cat"}, input);
    BOOST_TEST_CONTEXT("exit " << echoed.exit_code << (echoed.timed_out ? " (timed out)" : "") << ", stderr: "
                               << echoed.err) {
        BOOST_TEST(echoed.exit_code == 0);
        BOOST_TEST(echoed.out.size() == input.size());
        BOOST_TEST((echoed.out == input));
    }
    // The same bytes, hashed where the program runs.
    const auto remote = ssh({}, {"sha256sum"}, input);
    BOOST_TEST_CONTEXT(describe(remote)) {
        BOOST_TEST(remote.exit_code == 0);
        BOOST_TEST(remote.out.substr(0, 64) == local.out.substr(0, 64));
    }
}

BOOST_AUTO_TEST_CASE(setenv_variables_reach_the_program) {
    const auto r = ssh({"-o", "SetEnv=FOO=bar BAZ=qux"}, {"echo \"$FOO|$BAZ\""});
    BOOST_TEST_CONTEXT(describe(r)) {
        BOOST_TEST(r.out == "bar|qux\n");
        BOOST_TEST(r.exit_code == 0);
    }
}

BOOST_AUTO_TEST_CASE(a_refused_request_fails_with_its_reason) {
    const auto r = ssh({}, {"-s", "no-such-subsystem"});
    BOOST_TEST_CONTEXT(describe(r)) {
        BOOST_TEST(r.exit_code != 0);
        BOOST_TEST(r.out.empty());
    }
    const auto line = gateway().wait_for("SSH_CHANNEL_REQUEST_FAILED");
    BOOST_TEST_INFO("log line: " << line);
    BOOST_TEST(json_field(line, "requestType") == "subsystem");
    BOOST_TEST(!json_field(line, "message").empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(pty, Subject)

BOOST_AUTO_TEST_CASE(an_interactive_shell_runs_under_a_terminal) {
    const auto r = ssh({"-tt"}, {}, "echo typed-$((40+2))\nexit 7\n");
    BOOST_TEST_CONTEXT(describe(r)) {
        BOOST_TEST(r.out.find("typed-42\r\n") != std::string::npos);
        BOOST_TEST(r.exit_code == 7);
    }
}

BOOST_AUTO_TEST_CASE(term_from_pty_req_is_in_the_environment) {
    const auto r = ssh({"-tt"}, {"echo \"term=$TERM\""}, "", {{"TERM", "vt220"}});
    BOOST_TEST_CONTEXT(describe(r)) {
        BOOST_TEST(r.out == "term=vt220\r\n");
        BOOST_TEST(r.exit_code == 0);
    }
    // Without a terminal the client's TERM is not sent.
    const auto plain = ssh({"-T"}, {"echo \"term=$TERM\""}, "", {{"TERM", "vt220"}});
    BOOST_TEST_CONTEXT(describe(plain)) {
        BOOST_TEST(plain.out.find("vt220") == std::string::npos);
        BOOST_TEST(plain.exit_code == 0);
    }
}

BOOST_AUTO_TEST_CASE(the_terminal_size_and_window_changes_reach_the_program) {
    const auto r = script("pty_resize.py", {});
    BOOST_TEST_CONTEXT(describe(r)) {
        BOOST_TEST(r.exit_code == 0);
        BOOST_TEST(r.out == "24 80\n40 100\n");
    }
}

BOOST_AUTO_TEST_CASE(openssh_window_changes_reach_the_program) {
    auto argv = ssh_command(gateway(), login(), {"-tt"}, {});
    argv.insert(argv.begin(), client("window_change.py"));
    const auto r = run(argv, "", ssh_env(gateway(), login()), std::chrono::seconds(120));
    BOOST_TEST_CONTEXT(describe(r)) {
        BOOST_TEST(r.exit_code == 0);
        BOOST_TEST(r.out == "24 80\n40 100\n");
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(signals, Subject)

BOOST_AUTO_TEST_CASE(term_reaches_a_program_that_traps_it) {
    const auto r =
        script("send_signal.py", {"trap 'exit 42' TERM; echo ready; sleep 600 </dev/null >/dev/null 2>&1 & wait", "TERM"});
    BOOST_TEST_CONTEXT(describe(r)) { BOOST_TEST(r.out == "exit-status 42\n"); }
}

BOOST_AUTO_TEST_CASE(term_and_kill_end_a_program_with_exit_signal) {
    for (const char* signal : {"TERM", "KILL"}) {
        const auto r = script("send_signal.py", {"echo ready; exec sleep 600", signal});
        BOOST_TEST_CONTEXT(signal << ": " << describe(r)) {
            BOOST_TEST(r.out == "exit-signal " + std::string(signal) + "\n");
        }
    }
    BOOST_TEST(!gateway().wait_for("SSH_EXIT_SIGNAL").empty());
    if (!backend_under_test().signal_code.empty()) {
        BOOST_TEST(!gateway().wait_for(backend_under_test().signal_code).empty());
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(streams, Subject)

BOOST_AUTO_TEST_CASE(a_client_that_leaves_during_output_stops_the_program) {
    const std::string marker = "conformance-" + random_hex(12);
    Child client(ssh_command(gateway(), login(), {"-T"}, {"while :; do echo " + marker + "; done"}),
                 ssh_env(gateway(), login()));
    std::string line;
    BOOST_TEST_REQUIRE(client.read_line(line, std::chrono::seconds(60)));
    BOOST_TEST(line == marker);
    if (backend_under_test().sees_what_it_runs) {
        BOOST_TEST(!backend_under_test().left_behind(user(), marker).empty());  // the probe sees the program
    }
    BOOST_TEST(client.stop(SIGKILL, std::chrono::seconds(10)) >= 0);
    BOOST_TEST(!gateway().wait_for("SSH_DISCONNECTED", std::chrono::seconds(30)).empty());
    BOOST_TEST(eventually([&] { return backend_under_test().left_behind(user(), marker).empty(); },
                          std::chrono::seconds(60)));
}

BOOST_AUTO_TEST_CASE(a_slow_program_holds_the_client_back_instead_of_the_gateway_buffering) {
    // gzip -9 reads random bytes at about 30 MB/s, slower than the client
    // sends them: the client must wait for the program, and the gateway hold
    // no more than its windows. Every byte still arrives, checked by hash.
    const auto input = random_bytes(48u << 20);
    TempDir dir;
    write_file(dir.path() / "in.bin", input);
    const auto local = run({"sha256sum", dir.file("in.bin")});
    const long before = rss_kib(gateway().pid());
    std::atomic<bool> finished{false};
    std::atomic<long> peak{before};
    std::thread sampler([&] {
        while (!finished) {
            peak = std::max(peak.load(), rss_kib(gateway().pid()));
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    });
    const auto r = ssh({}, {"gzip -9 | gzip -dc | sha256sum"}, input);
    finished = true;
    sampler.join();
    BOOST_TEST_CONTEXT(describe(r)) {
        BOOST_TEST(r.exit_code == 0);
        BOOST_TEST(r.out.substr(0, 64) == local.out.substr(0, 64));
    }
    // 48 MiB were sent; one session's windows and buffers are a few MiB.
    check_rss_growth(peak - before, 16 * 1024, "48 MiB sent into gzip -9; the peak during the session");
}

BOOST_AUTO_TEST_CASE(a_slow_client_holds_the_program_back_instead_of_the_gateway_buffering) {
    // The baseline comes before the session: a gateway that buffered the
    // flood in its first second would otherwise look flat afterwards.
    const long before = rss_kib(gateway().pid());
    // The test never reads the client's stdout, so the client stops reading
    // the socket once its pipe is full: a slow client.
    Child client(ssh_command(gateway(), login(), {}, {"head -c 500000000 /dev/zero"}), ssh_env(gateway(), login()));
    BOOST_REQUIRE(!gateway().wait_for("SSH_CHANNEL_REQUEST_SUCCESSFUL", std::chrono::seconds(60)).empty());
    std::this_thread::sleep_for(std::chrono::seconds(2));
    const long settled = rss_kib(gateway().pid());
    std::this_thread::sleep_for(std::chrono::seconds(3));
    const long later = rss_kib(gateway().pid());
    BOOST_TEST_INFO("RSS " << before << " KiB before the session, " << settled << " KiB -> " << later << " KiB");
    // 500 MB were offered; one session's windows and buffers are a few MiB.
    BOOST_TEST(later - before < 32 * 1024);
    BOOST_TEST(later - settled < 16 * 1024);
    BOOST_TEST(client.stop(SIGKILL, std::chrono::seconds(10)) >= 0);
}

BOOST_AUTO_TEST_SUITE_END()

// Forwarding channels the client opens (ssh -L, -W): the target is reached
// where the backend runs programs. A backend that does not forward must
// refuse the channel (the client sees "open failed"), never half-open it.
namespace {
struct ForwardingSubject : Subject {
    ForwardingSubject()
        : Subject("security:\n  forwarding:\n    forwardingMode: enable\n    reverseForwardingMode: enable\n"
                  "    agentForwardingMode: enable\n") {}
};

// A session command that sends `line` to `port` where the backend runs
// programs and prints the answer, trying for ten seconds (the listener may
// still be starting).
std::string ask_there(int port, const std::string& line) {
    return "for i in $(seq 100); do r=$(echo " + line + " | busybox nc 127.0.0.1 " + std::to_string(port) +
           ") && [ -n \"$r\" ] && echo \"$r\" && exit 0; sleep 0.1; done; exit 1";
}
}  // namespace

BOOST_FIXTURE_TEST_SUITE(forwarding, ForwardingSubject)

BOOST_AUTO_TEST_CASE(ssh_L_reaches_an_echo_server_the_session_started) {
    // A port free on this host: the local backend runs programs here.
    const int port = closed_port();
    const std::string server = "busybox nc -ll -p " + std::to_string(port) + " -e /bin/cat";
    if (!backend_under_test().forwards) {
        const auto r = ssh({"-o", "LogLevel=INFO", "-W", "127.0.0.1:" + std::to_string(port)}, {});
        BOOST_TEST(r.exit_code == 255, describe(r));
        BOOST_TEST(r.err.find("open failed") != std::string::npos, describe(r));
        return;
    }
    {
        LocalForward forward(gateway(), login(), "127.0.0.1:" + std::to_string(port), {server});
        BOOST_REQUIRE_MESSAGE(forward.ready, "the -L port never accepted");
        BOOST_REQUIRE(eventually([&] { return round_trip(forward.local_port, "probe\n") == "probe\n"; },
                                 std::chrono::seconds(60)));
        // Four connections at once, 4 MiB each way, byte for byte.
        std::vector<std::string> inputs, outputs(4);
        for (int i = 0; i < 4; ++i) inputs.push_back(random_hex(16) + random_bytes(4u << 20));
        std::vector<std::thread> clients;
        for (size_t i = 0; i < inputs.size(); ++i) {
            clients.emplace_back([&, i] { outputs[i] = round_trip(forward.local_port, inputs[i]); });
            // busybox nc listens with a backlog of 2: a burst of connects would overflow it.
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
        for (auto& t : clients) t.join();
        for (size_t i = 0; i < inputs.size(); ++i) BOOST_TEST((outputs[i] == inputs[i]), "connection " << i);
        BOOST_TEST(forward.client.stop(SIGKILL, std::chrono::seconds(10)) >= 0);
    }
    BOOST_TEST(!gateway().wait_for("SSH_DISCONNECTED", std::chrono::seconds(30)).empty());
    BOOST_TEST(eventually([&] { return backend_under_test().left_behind(user(), server).empty(); },
                          std::chrono::seconds(60)));
}

BOOST_AUTO_TEST_CASE(a_target_nobody_listens_on_fails_the_open) {
    const auto r = ssh({"-o", "LogLevel=INFO", "-W", "127.0.0.1:1"}, {});
    BOOST_TEST(r.exit_code == 255, describe(r));
    BOOST_TEST(r.err.find("open failed") != std::string::npos, describe(r));
    BOOST_TEST(gateway().count("SSH_FORWARD_OPENED") == 0u);
}

// ssh -R: the backend listens where its programs run; a connection made
// there comes back through the client to a server on the client's side.
BOOST_AUTO_TEST_CASE(ssh_R_brings_a_connection_back_to_the_client_side) {
    if (!backend_under_test().listens) {
        BOOST_TEST_MESSAGE("the backend does not listen: skipped");
        return;
    }
    EchoServer echo;
    const auto r = ssh({"-o", "ExitOnForwardFailure=yes", "-R", "7200:127.0.0.1:" + std::to_string(echo.port())},
                       {ask_there(7200, "remote-ping")});
    BOOST_TEST(r.exit_code == 0, describe(r));
    BOOST_TEST(r.out == "remote-ping\n", describe(r));
    BOOST_TEST(echo.accepted() >= 1);
    // The listening agent ends with the connection, also where the pod stays.
    BOOST_TEST(eventually([&] { return backend_under_test().left_behind(user(), "forward-server").empty(); },
                          std::chrono::seconds(60)));
}

// ssh -A: the client's ssh-agent holds a key; where the program runs,
// SSH_AUTH_SOCK leads to it and ssh-add lists the key.
BOOST_AUTO_TEST_CASE(ssh_A_lets_ssh_add_list_the_clients_key) {
    if (!backend_under_test().listens) {
        BOOST_TEST_MESSAGE("the backend does not listen: skipped");
        return;
    }
    ClientAgent agent;
    const auto r = ssh({"-A"}, {"echo sock=$SSH_AUTH_SOCK; ssh-add -l"}, "", {{"SSH_AUTH_SOCK", agent.socket}});
    BOOST_TEST(r.exit_code == 0, describe(r));
    BOOST_TEST(r.out.find("sock=/tmp/containerssh-agent-") != std::string::npos, describe(r));
    BOOST_TEST(r.out.find(agent.fingerprint) != std::string::npos, describe(r));
    BOOST_TEST(eventually([&] { return backend_under_test().left_behind(user(), "forward-server").empty(); },
                          std::chrono::seconds(60)));
}

BOOST_AUTO_TEST_SUITE_END()
