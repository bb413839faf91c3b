// Logins and sessions through the real OpenSSH client: what the user sees.
#define BOOST_TEST_MODULE integration_sessions
#include <boost/test/unit_test.hpp>

#include "harness/configs.hpp"
#include "harness/gateway.hpp"
#include "harness/probes.hpp"

#include <csignal>
#include <sstream>

using namespace csh::test;

namespace {

const User kAlice{"alice", "correct horse", ""};

struct PasswordGateway {
    Gateway gateway{static_auth_local_backend(kAlice)};
    SshLogin login{"alice", "correct horse", {}};
};

}  // namespace

BOOST_AUTO_TEST_SUITE(login)

BOOST_FIXTURE_TEST_CASE(password_login_runs_the_command, PasswordGateway) {
    const auto r = ssh(gateway, login, {}, {"echo", "hello"});
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.out == "hello\n");
    BOOST_TEST(!gateway.wait_for("SSH_AUTH_SUCCESSFUL").empty());
    BOOST_TEST(!gateway.wait_for("SSH_HANDSHAKE_SUCCESSFUL").empty());
}

BOOST_FIXTURE_TEST_CASE(wrong_password_is_refused, PasswordGateway) {
    login.password = "wrong";
    const auto r = ssh(gateway, login, {}, {"echo", "hello"});
    BOOST_TEST(r.exit_code == 255);
    BOOST_TEST(r.out.empty());
    BOOST_TEST(r.err.find("Permission denied") != std::string::npos);
    const auto failed = gateway.wait_for("SSH_AUTH_FAILED");
    BOOST_TEST(json_field(failed, "username") == "alice");
    BOOST_TEST(failed.find("wrong") == std::string::npos);  // the password never reaches the log
}

BOOST_AUTO_TEST_CASE(banner_is_shown_before_authentication) {
    Gateway gateway(static_auth_local_backend(kAlice), true, {"banner: \"Authorised users only.\""});
    const auto r = ssh(gateway, {"alice", "correct horse", {}}, {"-o", "LogLevel=INFO"}, {"true"});
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.err.find("Authorised users only.") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(public_key_login_and_refusal) {
    TempDir keys;
    const auto good = make_key(keys.path(), "good");
    const auto bad = make_key(keys.path(), "bad");
    auto pub = read_file(good.string() + ".pub");
    pub = pub.substr(0, pub.find_last_not_of(" \n") + 1);
    Gateway gateway(static_auth_local_backend({"bob", "", pub}));

    const auto ok = ssh(gateway, {"bob", "", good}, {}, {"echo", "key-ok"});
    BOOST_TEST(ok.exit_code == 0);
    BOOST_TEST(ok.out == "key-ok\n");

    const auto refused = ssh(gateway, {"bob", "", bad}, {}, {"echo", "key-ok"});
    BOOST_TEST(refused.exit_code == 255);
    BOOST_TEST(refused.out.empty());
    BOOST_TEST(!gateway.wait_for("SSH_AUTH_FAILED").empty());
}

BOOST_AUTO_TEST_SUITE_END()

// What a backend does with exec, pty, signals and streams is checked for
// every backend by tests/conformance/backend; this suite keeps what the core
// itself decides.
BOOST_AUTO_TEST_SUITE(exec)

// Not a conformance case: a container engine reports only the exit code
// (137), so the Docker backend tells exit-signal only for signals it
// delivered itself.
BOOST_FIXTURE_TEST_CASE(program_killed_by_a_signal_reports_exit_signal, PasswordGateway) {
    // OpenSSH's client reports a remote death by signal as exit code 255.
    const auto r = ssh(gateway, login, {}, {"kill -KILL $$"});
    BOOST_TEST(r.exit_code == 255);
    const auto line = gateway.wait_for("SSH_EXIT_SIGNAL");
    BOOST_TEST(json_field(line, "signal") == "KILL");
}

// Forwarding is off unless security.forwarding.forwardingMode enables it
// (integration_forwarding covers the rest).
BOOST_FIXTURE_TEST_CASE(port_forwarding_is_refused_by_default_with_its_code, PasswordGateway) {
    const auto r = ssh(gateway, login, {"-W", "127.0.0.1:9"}, {});
    BOOST_TEST(r.exit_code == 255);
    BOOST_TEST(r.err.find("stdio forwarding failed") != std::string::npos);
    const auto line = gateway.wait_for("SECURITY_FORWARDING_REJECTED");
    BOOST_TEST(json_field(line, "channelType") == "direct-tcpip");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(audit)

BOOST_AUTO_TEST_CASE(recorder_sees_the_whole_connection_in_order) {
    TempDir dir;
    const auto file = (dir.path() / "events.jsonl").string();
    Gateway gateway(static_auth_local_backend(kAlice) + audit_recorder(file));
    const auto r = ssh(gateway, {"alice", "correct horse", {}}, {}, {"echo audited"});
    BOOST_TEST(r.out == "audited\n");
    BOOST_TEST(!gateway.wait_for("SSH_DISCONNECTED").empty());
    const auto types = audit_event_types(read_file(file));
    // connect, password, success, handshake, channel open, exec, output, exit,
    // close-write, close, disconnect: each present, in this order.
    const std::vector<int> expected{0, 100, 101, 199, 300, 301, 403, 500, 499, 496, 497, 1};
    size_t at = 0;
    for (int t : types) {
        if (at < expected.size() && t == expected[at]) ++at;
    }
    BOOST_TEST_INFO("events: " << read_file(file));
    BOOST_TEST(at == expected.size());
    BOOST_TEST(types.front() == 0);
    BOOST_TEST(types.back() == 1);
    // The password is not recorded unless audit.intercept.passwords is set.
    BOOST_TEST(read_file(file).find("correct horse") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(audit_plugins_flush_at_shutdown_while_the_loop_still_runs) {
    TempDir dir;
    Gateway gateway(static_auth_local_backend(kAlice) + audit_recorder((dir.path() / "events.jsonl").string()));
    BOOST_TEST(ssh(gateway, {"alice", "correct horse", {}}, {}, {"true"}).exit_code == 0);
    BOOST_TEST(gateway.stop(SIGTERM) == 0);
    // The recorder completes its flush from a host timer: only a host whose
    // loop runs during the flush sees it, after SSH stopped and before the end.
    const auto lines = gateway.lines();
    const auto index_of = [&](const std::string& code, const std::string& service = {}) {
        for (size_t i = 0; i < lines.size(); ++i) {
            if (json_field(lines[i], "code") == code && (service.empty() || json_field(lines[i], "service") == service)) {
                return static_cast<long>(i);
            }
        }
        return -1L;
    };
    const long ssh_stopped = index_of("SERVICE_STOPPED", "ssh");
    const long flushed = index_of("AUDIT_RECORDER_FLUSHED");
    const long pool_stopped = index_of("SERVICE_POOL_STOPPED");
    BOOST_TEST(ssh_stopped >= 0);
    BOOST_TEST(flushed > ssh_stopped);
    BOOST_TEST(pool_stopped > flushed);
    BOOST_TEST(gateway.count("CORE_AUDIT_FLUSH_TIMEOUT") == 0u);
}

BOOST_AUTO_TEST_CASE(recorder_sees_a_failed_handshake) {
    TempDir dir;
    const auto file = (dir.path() / "events.jsonl").string();
    Gateway gateway(static_auth_local_backend(kAlice) + audit_recorder(file));
    const auto r = ssh(gateway, {"alice", "wrong", {}}, {}, {"true"});
    BOOST_TEST(r.exit_code == 255);
    BOOST_TEST(!gateway.wait_for("SSH_DISCONNECTED").empty());
    const auto types = audit_event_types(read_file(file));
    // connect, the refused password, handshake failed, disconnect.
    const std::vector<int> expected{0, 100, 102, 198, 1};
    BOOST_TEST_INFO("events: " << read_file(file));
    BOOST_TEST(types == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
