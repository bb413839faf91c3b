// SIGTERM drains (docs/ssh-server.md, "Shutting down"): the listener closes
// at once so a load balancer sends new connections elsewhere, the sessions
// already open run to their end or to ssh.drainTimeout, a second SIGTERM
// ends the wait, and ssh.hostKeyFingerprints refuses a replica whose host
// keys differ from the others'.
#define BOOST_TEST_MODULE integration_drain
#include <boost/test/unit_test.hpp>

#include "curl_fetch.hpp"
#include "harness/configs.hpp"
#include "harness/forwarding.hpp"
#include "harness/gateway.hpp"
#include "harness/probes.hpp"

#include <csignal>
#include <filesystem>
#include <sstream>
#include <thread>

using namespace csh::test;
using namespace std::chrono_literals;

namespace {

const User kAlice{"alice", "correct horse", ""};
const SshLogin kLogin{"alice", "correct horse", {}};

std::string with_health() { return static_auth_local_backend(kAlice) + "health:\n  enable: true\n  listen: \"127.0.0.1:0\"\n"; }

// A session running `command` whose first line has arrived (so the
// connection is open and its program runs when the test goes on).
struct Session {
    Session(const Gateway& gateway, const std::string& command)
        : client(ssh_command(gateway, kLogin, {}, {"echo started; " + command}), ssh_env(gateway, kLogin)) {
        std::string line;
        BOOST_REQUIRE(client.read_line(line, 15s));
        BOOST_REQUIRE_EQUAL(line, "started");
    }
    // The client's exit code once it ended within `patience`, else -1.
    int exit_code(std::chrono::seconds patience) {
        int code = -1;
        eventually([&] {
            const auto exited = client.exited();
            if (exited) code = *exited;
            return exited.has_value();
        }, patience);
        return code;
    }
    Child client;
};

// The gateway's exit code once it ended within `patience` by itself, else -1.
int exit_code(Gateway& gateway, std::chrono::seconds patience) {
    if (!eventually([&] { return !gateway.running(); }, patience)) return -1;
    return gateway.stop(SIGKILL);  // already reaped: returns the code, sends nothing
}

// Milliseconds since `start`.
long long since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(drain)

// The whole drain as a load balancer and a user see it.
BOOST_AUTO_TEST_CASE(sessions_finish_new_connections_are_refused_then_exit_0) {
    Gateway gateway(with_health(), true, {"drainTimeout: 20s"});
    const std::string health_url = "http://" + json_field(gateway.wait_for("HEALTH_AVAILABLE"), "address") + "/";
    gateway.wait_for("SERVICE_POOL_RUNNING");
    BOOST_REQUIRE_EQUAL(curl({health_url}).status, 200);
    Session session(gateway, "sleep 2; echo done");

    const auto signalled = std::chrono::steady_clock::now();
    ::kill(gateway.pid(), SIGTERM);
    const auto draining = gateway.wait_for("SERVICE_POOL_DRAINING");
    BOOST_REQUIRE(!draining.empty());
    BOOST_TEST(json_field(draining, "connections") == "1");
    BOOST_TEST(json_field(draining, "drainTimeout") == "20s");
    BOOST_TEST(curl({health_url}).status == 503);
    BOOST_TEST(!accepts(gateway.port()));

    std::string line;
    BOOST_TEST(session.client.read_line(line, 10s));
    BOOST_TEST(line == "done");
    BOOST_TEST(session.exit_code(10s) == 0);
    BOOST_TEST(exit_code(gateway, 10s) == 0);
    BOOST_TEST(since(signalled) < 10000);  // the last session's end, not the deadline
    BOOST_TEST(gateway.count("SERVICE_POOL_DRAINED") == 1);
    BOOST_TEST(gateway.count("SERVICE_POOL_DRAIN_TIMEOUT") == 0);
    BOOST_TEST(gateway.count("SSH_BACKEND_SHUTDOWN_TIMEOUT") == 0);
    BOOST_TEST(gateway.count("SSH_LISTEN_CLOSE_FAILED") == 0);  // stop() closes the closed listener again
}

// New channels on a connection opened before SIGTERM still work: OpenSSH
// connection sharing opens a second session on the master's connection.
BOOST_AUTO_TEST_CASE(open_connections_can_still_open_sessions) {
    Gateway gateway(static_auth_local_backend(kAlice), true, {"drainTimeout: 20s"});
    TempDir sockets;
    const std::string control = "ControlPath=" + (sockets.path() / "master").string();
    Child master(ssh_command(gateway, kLogin, {"-o", "ControlMaster=yes", "-o", control}, {"echo started; sleep 30"}),
                 ssh_env(gateway, kLogin));
    std::string line;
    BOOST_REQUIRE(master.read_line(line, 15s));
    ::kill(gateway.pid(), SIGTERM);
    BOOST_REQUIRE(!gateway.wait_for("SERVICE_POOL_DRAINING").empty());
    const auto second = ssh(gateway, kLogin, {"-o", "ControlMaster=no", "-o", control}, {"echo", "second"});
    BOOST_TEST(second.exit_code == 0, second.err);
    BOOST_TEST(second.out == "second\n");
    BOOST_TEST(gateway.stop(SIGTERM) == 0);  // the second signal ends the drain
}

BOOST_AUTO_TEST_CASE(the_deadline_cuts_what_is_left) {
    Gateway gateway(static_auth_local_backend(kAlice), true, {"drainTimeout: 1s"});
    Session session(gateway, "sleep 30");
    const auto signalled = std::chrono::steady_clock::now();
    ::kill(gateway.pid(), SIGTERM);
    const auto cut = gateway.wait_for("SERVICE_POOL_DRAIN_TIMEOUT", 10s);
    BOOST_REQUIRE(!cut.empty());
    BOOST_TEST(since(signalled) >= 900);
    BOOST_TEST(json_field(cut, "connections") == "1");
    BOOST_TEST(exit_code(gateway, 25s) == 0);
    BOOST_TEST(session.exit_code(10s) != 0);
    BOOST_TEST(gateway.count("SERVICE_POOL_DRAINED") == 0);
}

BOOST_AUTO_TEST_CASE(a_second_sigterm_ends_the_drain_at_once) {
    Gateway gateway(static_auth_local_backend(kAlice), true, {"drainTimeout: 60s"});
    Session session(gateway, "sleep 30");
    ::kill(gateway.pid(), SIGTERM);
    BOOST_REQUIRE(!gateway.wait_for("SERVICE_POOL_DRAINING").empty());
    const auto second = std::chrono::steady_clock::now();
    ::kill(gateway.pid(), SIGINT);
    const auto interrupted = gateway.wait_for("SERVICE_POOL_DRAIN_INTERRUPTED", 5s);
    BOOST_REQUIRE(!interrupted.empty());
    BOOST_TEST(json_field(interrupted, "connections") == "1");
    BOOST_TEST(exit_code(gateway, 25s) == 0);
    BOOST_TEST(since(second) < 25000);
    BOOST_TEST(session.exit_code(10s) != 0);
}

BOOST_AUTO_TEST_CASE(sighup_reopens_the_log_during_the_drain) {
    Gateway gateway(static_auth_local_backend(kAlice), true, {"drainTimeout: 20s"});
    Session session(gateway, "sleep 30");
    ::kill(gateway.pid(), SIGTERM);
    BOOST_REQUIRE(!gateway.wait_for("SERVICE_POOL_DRAINING").empty());
    ::kill(gateway.pid(), SIGHUP);
    std::this_thread::sleep_for(300ms);
    BOOST_TEST(gateway.running());  // SIGHUP neither ends the drain nor the process
    BOOST_TEST(gateway.count("SERVICE_POOL_DRAIN_INTERRUPTED") == 0);
    BOOST_TEST(gateway.stop(SIGTERM) == 0);
}

// Without open connections the drain ends as soon as it starts.
BOOST_AUTO_TEST_CASE(nothing_open_exits_at_once) {
    Gateway gateway(static_auth_local_backend(kAlice), true, {"drainTimeout: 20s"});
    const auto start = std::chrono::steady_clock::now();
    BOOST_TEST(gateway.stop(SIGTERM) == 0);
    BOOST_TEST(since(start) < 5000);
    BOOST_TEST(gateway.count("SERVICE_POOL_DRAINED") == 1);
}

// drainTimeout 0s: connections are closed at once, as before drains existed.
BOOST_AUTO_TEST_CASE(zero_closes_at_once) {
    Gateway gateway(static_auth_local_backend(kAlice), true, {"drainTimeout: 0s"});
    Session session(gateway, "sleep 30");
    const auto start = std::chrono::steady_clock::now();
    ::kill(gateway.pid(), SIGTERM);
    BOOST_TEST(session.exit_code(10s) != 0);
    BOOST_TEST(exit_code(gateway, 25s) == 0);
    BOOST_TEST(since(start) < 10000);
    BOOST_TEST(gateway.count("SERVICE_POOL_DRAINING") == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(host_key_fingerprints)

std::string fingerprint_of(const std::filesystem::path& key) {
    const auto r = run({"ssh-keygen", "-l", "-E", "sha256", "-f", key.string()});
    BOOST_REQUIRE_EQUAL(r.exit_code, 0);
    // "256 SHA256:... comment (ED25519)"
    const auto from = r.out.find("SHA256:");
    return r.out.substr(from, r.out.find(' ', from) - from);
}

BOOST_AUTO_TEST_CASE(the_right_fingerprint_starts) {
    TempDir dir;
    const auto key = make_key(dir.path(), "shared_host_key");
    Gateway gateway(static_auth_local_backend(kAlice), false,
                    {"hostkeys: [" + key.string() + "]", "hostKeyFingerprints: [\"" + fingerprint_of(key) + "\"]"});
    BOOST_TEST(ssh(gateway, kLogin, {}, {"true"}).exit_code == 0);
}

BOOST_AUTO_TEST_CASE(a_wrong_fingerprint_refuses_the_start) {
    TempDir dir;
    const auto key = make_key(dir.path(), "host_key");
    const auto other = make_key(dir.path(), "other_key");
    const std::string expected = fingerprint_of(other);
    const auto r = run_gateway({"--config", write_gateway_config(dir.path(), static_auth_local_backend(kAlice), false,
                                                                 {"hostkeys: [" + key.string() + "]",
                                                                  "hostKeyFingerprints: [\"" + expected + "\"]"})
                                                .string()});
    BOOST_TEST(r.exit_code == 1);
    std::string line;
    std::istringstream lines(r.out);
    while (std::getline(lines, line) && line.find("CORE_HOST_KEY_FINGERPRINT_MISMATCH") == std::string::npos) {
    }
    BOOST_REQUIRE(line.find("CORE_HOST_KEY_FINGERPRINT_MISMATCH") != std::string::npos);
    BOOST_TEST(json_field(line, "expected") == expected);
    BOOST_TEST(json_field(line, "actual") == fingerprint_of(key));
    BOOST_TEST(r.out.find("SSH_AVAILABLE") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
