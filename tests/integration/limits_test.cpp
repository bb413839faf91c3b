// The per-client limits and timeouts (docs/security.md, "Limits and
// timeouts") through the real OpenSSH client, asyncssh where OpenSSH cannot
// be hostile enough, and the local-process backend: SSH_CLIENT and
// SSH_CONNECTION, the env budget, the channel ceiling, MaxStartups under a
// flood of half-open connections, the idle timeout and the maximum session
// duration (file and per user). Timeouts are a few seconds, waits generous;
// nothing here measures speed.
#define BOOST_TEST_MODULE integration_limits
#include <boost/test/unit_test.hpp>

#include "harness/configs.hpp"
#include "harness/gateway.hpp"
#include "harness/probes.hpp"

#include <http_test_server.hpp>

#include <regex>
#include <thread>

using namespace csh::test;

namespace {

const User kAlice{"alice", "correct horse", ""};
const SshLogin kLogin{"alice", "correct horse", {}};


RunResult script(const Gateway& gateway, const char* name, const std::vector<std::string>& args) {
    std::vector<std::string> argv{client_script(name), std::to_string(gateway.port()), kLogin.user, kLogin.password};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, "", {}, std::chrono::seconds(120));
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

// The "exit N" line env_flood.py ends with, and the count the program printed before it.
const std::string kCountFlood = "env | grep -c '^FLOOD_'; true";

}  // namespace

BOOST_AUTO_TEST_SUITE(client_env)

// OpenSSH sets both for every session, whatever AcceptEnv says: here the
// env filter refuses everything the client sends and they still arrive.
BOOST_AUTO_TEST_CASE(ssh_client_and_ssh_connection_reach_the_program) {
    Gateway gateway(static_auth_local_backend(kAlice) + "security:\n  env:\n    mode: disable\n");
    const auto r = ssh(gateway, kLogin, {"-b", "127.0.0.3"}, {"echo \"$SSH_CLIENT|$SSH_CONNECTION\""});
    BOOST_TEST_INFO(r.err);
    BOOST_TEST(r.exit_code == 0);
    const std::string port = std::to_string(gateway.port());
    const std::regex expected("127\\.0\\.0\\.3 ([0-9]+) " + port + "\\|127\\.0\\.0\\.3 ([0-9]+) 127\\.0\\.0\\.1 " + port + "\n");
    std::smatch m;
    BOOST_TEST_INFO("out: " << r.out);
    BOOST_TEST(std::regex_match(r.out, m, expected));
    if (m.size() == 3) BOOST_TEST(m[1].str() == m[2].str());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(env_budget)

// Sends `count` variables of `size` bytes on one session; the program
// counts those it got, and the gateway names the first one it refused, once.
void flood_env(const std::string& security, const std::string& count, const std::string& size,
               const std::string& arrived, const std::string& key, const std::string& first_refused) {
    Gateway gateway(static_auth_local_backend(kAlice) + security);
    const auto r = script(gateway, "env_flood.py", {count, size, kCountFlood});
    BOOST_TEST_INFO(r.err);
    BOOST_TEST(r.out == arrived + "\nexit 0\n");
    const auto line = gateway.wait_for("SECURITY_ENV_LIMIT");
    BOOST_TEST(contains(line, key));
    BOOST_TEST(json_field(line, "env") == first_refused);
    BOOST_TEST(json_field(line, "username") == "alice");
    BOOST_TEST(gateway.count("SECURITY_ENV_LIMIT") == 1u);
}

// 3,000 variables of 4 KiB: the default 64 KiB budget takes 15 of them
// (8-byte names), refuses the rest, and the program still runs.
BOOST_AUTO_TEST_CASE(a_flood_of_large_variables_stops_at_max_bytes_and_the_program_runs) {
    flood_env("", "3000", "4096", "15", "security.env.maxBytes", "FLOOD_16");
}

BOOST_AUTO_TEST_CASE(the_variable_after_max_variables_is_refused) {
    flood_env("security:\n  env:\n    maxVariables: 3000\n    maxBytes: 1000000\n", "3001", "4", "3000",
              "security.env.maxVariables", "FLOOD_3001");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(channel_ceiling)

// maxSessions -1 means no policy limit, but security.maxChannels (64 by
// default) still holds: 70 sessions asked for on one connection, 64 run.
BOOST_AUTO_TEST_CASE(the_default_ceiling_holds_with_max_sessions_unlimited) {
    Gateway gateway(static_auth_local_backend(kAlice) + "security:\n  maxSessions: -1\n");
    const auto r = script(gateway, "sessions_until_refused.py", {"70", "echo up; exec cat"});
    BOOST_TEST_INFO(r.err);
    std::string expected;
    for (int n = 1; n <= 64; ++n) expected += "session " + std::to_string(n) + " up\n";
    for (int n = 65; n <= 70; ++n) expected += "session " + std::to_string(n) + " refused 1 \n";
    std::string statuses = "closed";
    for (int n = 1; n <= 64; ++n) statuses += " 0";
    BOOST_TEST(r.out == expected + statuses + "\n");
    const auto line = gateway.wait_for("SECURITY_MAX_CHANNELS");
    BOOST_TEST(contains(line, "security.maxChannels (64)"));
    BOOST_TEST(gateway.count("SECURITY_MAX_CHANNELS") == 6u);
}

BOOST_AUTO_TEST_CASE(max_channels_can_be_lowered) {
    Gateway gateway(static_auth_local_backend(kAlice) + "security:\n  maxChannels: 2\n");
    const auto r = script(gateway, "sessions_until_refused.py", {"3", "echo up; exec cat"});
    BOOST_TEST_INFO(r.err);
    BOOST_TEST(r.out == "session 1 up\nsession 2 up\nsession 3 refused 1 \nclosed 0 0\n");
    BOOST_TEST(!gateway.wait_for("SECURITY_MAX_CHANNELS").empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(pending_requests)

// 64 MB of env requests pipelined behind an exec the backend never answers
// (backend-silent): they cannot be answered before the exec, and libssh
// would parse them all into its message list. The gateway stops reading
// instead, and grows by far less than what was sent.
BOOST_AUTO_TEST_CASE(requests_behind_a_held_one_do_not_fill_the_gateway) {
    Gateway gateway("auth:\n  password:\n    method: static\n    static:\n      users:\n        alice:\n"
                    "          password: \"correct horse\"\nbackend: silent\n");
    const long before = rss_kib(gateway.pid());
    Child hostile({client_script("requests_behind_held_exec.py"), std::to_string(gateway.port()), kLogin.user,
                  kLogin.password, "16000", "4096"});
    std::string queued;
    BOOST_REQUIRE(hostile.read_line(queued, std::chrono::seconds(60)));
    BOOST_TEST(queued == "queued");
    BOOST_TEST(!gateway.wait_for("SSH_READ_PAUSED", std::chrono::seconds(20)).empty());
    std::this_thread::sleep_for(std::chrono::seconds(2));  // what could still flow has flowed
    check_rss_growth(rss_kib(gateway.pid()) - before, 16 * 1024, "64 MB of requests sent behind the held exec");
    hostile.close_stdin();
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(max_startups)

// 500 half-open connections from 127.0.0.2 (TCP only, or an identification
// line and nothing more) while 127.0.0.3 logs in with OpenSSH. With the
// defaults 127.0.0.2 holds 20 (ssh.perSourceMaxStartups), the other 480
// are closed at once and never counted, so 127.0.0.3 is far below
// ssh.maxStartups and gets in.
BOOST_AUTO_TEST_CASE(a_flood_from_one_source_does_not_lock_out_another) {
    Gateway gateway(static_auth_local_backend(kAlice));
    Child flood({client_script("half_open_flood.py"), "127.0.0.2", std::to_string(gateway.port()), "500"});
    std::string ready;
    BOOST_REQUIRE(flood.read_line(ready, std::chrono::seconds(60)));
    BOOST_TEST(ready == "ready 20");
    BOOST_TEST(eventually([&] { return gateway.count("SSH_PER_SOURCE_MAX_STARTUPS") == 480; },
                          std::chrono::seconds(30)));
    const auto line = gateway.wait_for("SSH_PER_SOURCE_MAX_STARTUPS");
    BOOST_TEST(json_field(line, "remoteAddr") == "127.0.0.2");

    const auto r = ssh(gateway, kLogin, {"-b", "127.0.0.3"}, {"echo logged-in"});
    BOOST_TEST_INFO(r.err);
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.out == "logged-in\n");
    BOOST_TEST(gateway.count("SSH_MAX_STARTUPS") == 0u);
    flood.close_stdin();
}

// Without a per-source limit the same flood fills ssh.maxStartups and the
// other source is refused: why perSourceMaxStartups is on by default.
BOOST_AUTO_TEST_CASE(without_a_per_source_limit_the_flood_locks_out_another_source) {
    Gateway gateway(static_auth_local_backend(kAlice), true,
                    {"maxStartups: \"10:30:50\"", "perSourceMaxStartups: 0"});
    Child flood({client_script("half_open_flood.py"), "127.0.0.2", std::to_string(gateway.port()), "500"});
    std::string ready;
    BOOST_REQUIRE(flood.read_line(ready, std::chrono::seconds(60)));
    BOOST_TEST(ready == "ready 50");
    const auto r = ssh(gateway, kLogin, {"-b", "127.0.0.3"}, {"echo logged-in"});
    BOOST_TEST(r.exit_code == 255);
    BOOST_TEST(r.out.empty());
    BOOST_TEST(eventually([&] {
                   for (const auto& l : gateway.lines()) {
                       if (contains(l, "SSH_MAX_STARTUPS") && json_field(l, "remoteAddr") == "127.0.0.3") return true;
                   }
                   return false;
               },
               std::chrono::seconds(10)));
    flood.close_stdin();
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(timeouts)

BOOST_AUTO_TEST_CASE(an_idle_connection_is_warned_then_closed) {
    Gateway gateway(static_auth_local_backend(kAlice), true, {"idleTimeout: 3s", "timeoutWarning: 1s"});
    // LogLevel=INFO: OpenSSH prints the disconnect message at INFO.
    const auto r = ssh(gateway, kLogin, {"-o", "LogLevel=INFO"}, {"sleep 60"}, "", std::chrono::seconds(40));
    BOOST_TEST_INFO("stderr: " << r.err);
    BOOST_TEST(!r.timed_out);
    BOOST_TEST(r.exit_code == 255);
    BOOST_TEST(contains(r.err, "This connection has had no activity and will be closed in 1s (idle timeout 3s)."));
    BOOST_TEST(contains(r.err, "Closed after 3s without activity (idle timeout)."), "stderr: " << r.err);
    BOOST_TEST(!gateway.wait_for("SSH_IDLE_TIMEOUT_WARNING").empty());
    BOOST_TEST(json_field(gateway.wait_for("SSH_IDLE_TIMEOUT"), "username") == "alice");
}

// With no session open, the reason reaches the user as the disconnect message.
BOOST_AUTO_TEST_CASE(a_connection_without_a_session_gets_the_reason_as_its_disconnect_message) {
    Gateway gateway(static_auth_local_backend(kAlice), true, {"idleTimeout: 2s", "timeoutWarning: 1s"});
    const auto r = ssh(gateway, kLogin, {"-N", "-o", "LogLevel=INFO"}, {}, "", std::chrono::seconds(40));
    BOOST_TEST(!r.timed_out);
    BOOST_TEST(r.exit_code == 255);
    BOOST_TEST(contains(r.err, "Closed after 2s without activity (idle timeout)."), "stderr: " << r.err);
    BOOST_TEST(!gateway.wait_for("SSH_IDLE_TIMEOUT").empty());
}

// Output counts as traffic: a program that prints every half second for
// 5 s outlives a 3 s idle timeout.
BOOST_AUTO_TEST_CASE(traffic_keeps_a_connection_open) {
    Gateway gateway(static_auth_local_backend(kAlice), true, {"idleTimeout: 3s", "timeoutWarning: 1s"});
    const auto r = ssh(gateway, kLogin, {}, {"for i in 1 2 3 4 5 6 7 8 9 10; do echo $i; sleep 0.5; done"});
    BOOST_TEST_INFO("stderr: " << r.err);
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.out == "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n");
    BOOST_TEST(gateway.count("SSH_IDLE_TIMEOUT") == 0u);
}

BOOST_AUTO_TEST_CASE(a_busy_connection_is_closed_at_max_session_duration) {
    Gateway gateway(static_auth_local_backend(kAlice), true, {"maxSessionDuration: 3s", "timeoutWarning: 1s"});
    const auto r = ssh(gateway, kLogin, {"-o", "LogLevel=INFO"}, {"while :; do echo tick; sleep 0.2; done"}, "",
                       std::chrono::seconds(40));
    BOOST_TEST_INFO("stderr: " << r.err);
    BOOST_TEST(!r.timed_out);
    BOOST_TEST(r.exit_code == 255);
    BOOST_TEST(contains(r.out, "tick\n"));
    BOOST_TEST(contains(r.err, "This connection will be closed in 1s: it reaches the maximum session duration of 3s."));
    BOOST_TEST(contains(r.err, "Closed after the maximum session duration of 3s."));
    BOOST_TEST(!gateway.wait_for("SSH_MAX_SESSION_DURATION_WARNING").empty());
    BOOST_TEST(!gateway.wait_for("SSH_MAX_SESSION_DURATION").empty());
}

// The file sets no idle timeout; the configuration server gives bob one.
BOOST_AUTO_TEST_CASE(a_configuration_server_sets_an_idle_timeout_for_one_user) {
    HttpTestServer server;
    Gateway gateway(webhook_auth_config_server_local_backend(server.url()));
    server.respond("/password", {200, R"({"success": true})"});

    server.respond("/config", {200, R"({"config": {}})"});
    const auto alice = ssh(gateway, {"alice", "pw", {}}, {}, {"sleep 4; echo alice-done"});
    BOOST_TEST(alice.exit_code == 0);
    BOOST_TEST(alice.out == "alice-done\n");

    server.respond("/config", {200, R"({"config": {"ssh": {"idleTimeout": "2s", "timeoutWarning": "1s"}}})"});
    const auto bob = ssh(gateway, {"bob", "pw", {}}, {}, {"sleep 60; echo bob-done"}, "", std::chrono::seconds(40));
    BOOST_TEST_INFO("stderr: " << bob.err);
    BOOST_TEST(bob.exit_code == 255);
    BOOST_TEST(bob.out.empty());
    BOOST_TEST(contains(bob.err, "will be closed in 1s (idle timeout 2s)"));
    BOOST_TEST(json_field(gateway.wait_for("SSH_IDLE_TIMEOUT"), "username") == "bob");
    BOOST_TEST(gateway.count("SSH_IDLE_TIMEOUT") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
