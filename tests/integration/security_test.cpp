// The `security` section through the real OpenSSH client (asyncssh where
// OpenSSH cannot send the request): one case per key, each showing what the
// client and its program see, and the code the gateway logs. The suite runs
// twice: with the local-process backend, and (`-- --backend=docker`, the
// test integration_security_docker) with the Docker backend in connection
// mode, since the policy must hold whatever runs the programs.
// docs/security.md describes the policy.
#define BOOST_TEST_MODULE integration_security
#include <boost/test/unit_test.hpp>

#include "harness/configs.hpp"
#include "harness/docker.hpp"
#include "harness/gateway.hpp"
#include "harness/probes.hpp"

#include <http_test_server.hpp>

#include <algorithm>

using namespace csh::test;

namespace {

const User kAlice{"alice", "correct horse", ""};
const SshLogin kLogin{"alice", "correct horse", {}};

// The backend the suite runs against, from the arguments after `--`.
bool on_docker() {
    const auto& suite = boost::unit_test::framework::master_test_suite();
    for (int i = 1; i < suite.argc; ++i) {
        if (std::string(suite.argv[i]) == "--backend=docker") return true;
    }
    return false;
}

// The static-auth gateway on the suite's backend with `security` appended.
std::string with_security(const std::string& security_yaml) {
    const std::string backend = on_docker() ? docker::backend_config("connection") : local_backend();
    return static_auth(kAlice) + backend + "security:\n" + security_yaml;
}


RunResult script(const Gateway& gateway, const char* name, const std::vector<std::string>& args) {
    std::vector<std::string> argv{client_script(name), std::to_string(gateway.port()), kLogin.user, kLogin.password};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, "", {}, std::chrono::seconds(60));
}

// No line the gateway logged contains `text`.
bool never_logged(const Gateway& gateway, const std::string& text) {
    for (const auto& line : gateway.lines()) {
        if (line.find(text) != std::string::npos) return false;
    }
    return true;
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

constexpr int kAuditExec = 403;
constexpr int kAuditRequestFailed = 501;

const std::string kEcho = R"(echo "keep=${KEEP-unset} drop=${DROP-unset}")";
const std::string kSecret = "s3cr3t-env-value";

}  // namespace

BOOST_AUTO_TEST_SUITE(env)

BOOST_AUTO_TEST_CASE(filter_drops_a_variable_not_in_allow_and_never_logs_its_value) {
    Gateway gateway(with_security("  env:\n    mode: filter\n    allow: [KEEP]\n"));
    const auto r = ssh(gateway, kLogin, {"-o", "SetEnv=KEEP=kept DROP=" + kSecret}, {kEcho});
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.out == "keep=kept drop=unset\n");
    const auto line = gateway.wait_for("SECURITY_ENV_REJECTED");
    BOOST_TEST(json_field(line, "env") == "DROP");
    BOOST_TEST(json_field(line, "username") == "alice");
    BOOST_TEST(!json_field(line, "connectionId").empty());
    BOOST_TEST(gateway.count("SECURITY_ENV_REJECTED") == 1u);
    BOOST_TEST(never_logged(gateway, kSecret));
}

BOOST_AUTO_TEST_CASE(enable_drops_a_variable_in_deny) {
    Gateway gateway(with_security("  env:\n    mode: enable\n    deny: [DROP]\n"));
    const auto r = ssh(gateway, kLogin, {"-o", "SetEnv=KEEP=kept DROP=" + kSecret}, {kEcho});
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.out == "keep=kept drop=unset\n");
    BOOST_TEST(json_field(gateway.wait_for("SECURITY_ENV_REJECTED"), "env") == "DROP");
    BOOST_TEST(never_logged(gateway, kSecret));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(command)

BOOST_AUTO_TEST_CASE(a_command_not_in_allow_is_refused_logged_and_audited) {
    TempDir dir;
    const auto events = (dir.path() / "events.jsonl").string();
    Gateway gateway(with_security("  command:\n    mode: filter\n    allow: [\"echo allowed\"]\n") +
                    audit_recorder(events));
    const auto allowed = ssh(gateway, kLogin, {}, {"echo allowed"});
    BOOST_TEST(allowed.exit_code == 0);
    BOOST_TEST(allowed.out == "allowed\n");

    const auto refused = ssh(gateway, kLogin, {}, {"echo refused"});
    BOOST_TEST(refused.exit_code == 255);
    BOOST_TEST(refused.out.empty());
    BOOST_TEST(contains(refused.err, "This command is not allowed on this server."));
    BOOST_TEST(contains(refused.err, "exec request failed"));
    const auto line = gateway.wait_for("SECURITY_EXEC_REJECTED");
    BOOST_TEST(json_field(line, "command") == "echo refused");
    BOOST_TEST(json_field(line, "username") == "alice");
    BOOST_TEST(gateway.count("SECURITY_EXEC_REJECTED") == 1u);

    // The refused exec is recorded, then its failure, as a backend's refusal would be.
    // Both connections recorded in full.
    BOOST_TEST(eventually([&] { return gateway.count("SSH_DISCONNECTED") == 2; }, std::chrono::seconds(10)));
    const auto types = audit_event_types(read_file(events));
    BOOST_TEST_INFO("events: " << read_file(events));
    BOOST_TEST(std::count(types.begin(), types.end(), kAuditRequestFailed) == 1);
    const auto failed = std::find(types.begin(), types.end(), kAuditRequestFailed);
    BOOST_TEST((failed != types.begin() && *(failed - 1) == kAuditExec));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(shell_subsystem_tty)

BOOST_AUTO_TEST_CASE(a_shell_is_refused_with_a_line_for_the_user) {
    Gateway gateway(with_security("  shell:\n    mode: disable\n"));
    const auto r = ssh(gateway, kLogin, {"-T"}, {}, "echo from-the-shell\n");
    BOOST_TEST(r.exit_code == 255);
    BOOST_TEST(r.out.empty());
    BOOST_TEST(contains(r.err, "Interactive shells are not allowed on this server."));
    BOOST_TEST(!gateway.wait_for("SECURITY_SHELL_REJECTED").empty());
    // Commands still run: only the shell is refused.
    BOOST_TEST(ssh(gateway, kLogin, {}, {"echo still-runs"}).out == "still-runs\n");
}

BOOST_AUTO_TEST_CASE(the_sftp_subsystem_is_refused) {
    Gateway gateway(with_security("  subsystem:\n    mode: enable\n    deny: [sftp]\n"));
    const auto r = ssh(gateway, kLogin, {"-s"}, {"sftp"}, "");
    BOOST_TEST(r.exit_code == 255);
    BOOST_TEST(r.out.empty());
    BOOST_TEST_INFO("stderr: " << r.err);
    BOOST_TEST(contains(r.err, "The subsystem sftp is not allowed on this server."));
    BOOST_TEST(contains(r.err, "subsystem request failed"));
    BOOST_TEST(json_field(gateway.wait_for("SECURITY_SUBSYSTEM_REJECTED"), "subsystem") == "sftp");
}

BOOST_AUTO_TEST_CASE(no_terminal_under_tty_disable) {
    Gateway gateway(with_security("  tty:\n    mode: disable\n"));
    // OpenSSH's client (9.x) ends a session whose explicitly requested
    // terminal was refused, before the program's output reaches the user.
    const auto r = ssh(gateway, kLogin, {"-tt"}, {"tty"});
    BOOST_TEST_INFO("stderr: " << r.err << " stdout: " << r.out);
    BOOST_TEST(r.exit_code == 255);
    BOOST_TEST(!contains(r.out, "/dev/pts"));
    BOOST_TEST(contains(r.err, "PTY allocation request failed"));
    BOOST_TEST(json_field(gateway.wait_for("SECURITY_TTY_REJECTED"), "requestType") == "pty-req");
    // Without a terminal request the program runs as before.
    const auto plain = ssh(gateway, kLogin, {"-T"}, {"tty"});
    BOOST_TEST(plain.out == "not a tty\n");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(signal)

BOOST_AUTO_TEST_CASE(a_denied_signal_is_not_delivered) {
    Gateway gateway(with_security("  signal:\n    mode: enable\n    deny: [TERM]\n"));
    // Delivered, TERM would end the program with exit-signal TERM.
    const auto r = script(gateway, "send_signal.py", {"echo ready; exec sleep 2", "TERM"});
    BOOST_TEST_INFO(r.err);
    BOOST_TEST(r.out == "exit-status 0\n");
    const auto line = gateway.wait_for("SECURITY_SIGNAL_REJECTED");
    BOOST_TEST(json_field(line, "signal") == "TERM");
    BOOST_TEST(json_field(line, "username") == "alice");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(force_command)

const std::string kForced = R"(  forceCommand: 'echo "forced original=${SSH_ORIGINAL_COMMAND-unset}"')" "\n";

BOOST_AUTO_TEST_CASE(an_exec_runs_the_forced_command_with_the_original_in_the_environment) {
    Gateway gateway(with_security(kForced));
    const auto r = ssh(gateway, kLogin, {}, {"ls -l /"});
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.out == "forced original=ls -l /\n");
    const auto line = gateway.wait_for("SECURITY_EXEC_FORCING_COMMAND");
    BOOST_TEST(json_field(line, "requestType") == "exec");
    BOOST_TEST(gateway.count("SECURITY_EXEC_FAILED_SETENV") == 0u);
}

BOOST_AUTO_TEST_CASE(a_subsystem_runs_the_forced_command_with_its_name) {
    Gateway gateway(with_security(kForced));
    const auto r = ssh(gateway, kLogin, {"-s"}, {"sftp"});
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.out == "forced original=sftp\n");
}

BOOST_AUTO_TEST_CASE(a_shell_runs_the_forced_command_without_an_original) {
    // Also with shells disabled: the operator named the one program to run.
    Gateway gateway(with_security(kForced + "  shell:\n    mode: disable\n"));
    const auto r = ssh(gateway, kLogin, {"-T"}, {}, "echo typed\n");
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.out == "forced original=unset\n");
    BOOST_TEST(json_field(gateway.wait_for("SECURITY_EXEC_FORCING_COMMAND"), "requestType") == "shell");
}

// The backend refuses env once the program runs (backend-local, as Docker):
// a second exec on the session cannot get its SSH_ORIGINAL_COMMAND, and
// the forced command must not run a second time without it.
BOOST_AUTO_TEST_CASE(a_forced_command_whose_original_cannot_be_set_does_not_run) {
    Gateway gateway(with_security(
        R"(  forceCommand: 'echo "forced original=${SSH_ORIGINAL_COMMAND-unset}"; exec cat')" "\n"));
    const auto r = script(gateway, "exec_twice.py", {"one", "two"});
    BOOST_TEST_INFO(r.err);
    BOOST_TEST(r.out == "first forced original=one\nsecond refused\nexit-status 0\n");
    const auto line = gateway.wait_for("SECURITY_EXEC_FAILED_SETENV");
    BOOST_TEST(!json_field(line, "reason").empty());
    BOOST_TEST(json_field(line, "username") == "alice");
    BOOST_TEST(gateway.count("SECURITY_EXEC_FORCING_COMMAND") == 2u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(max_sessions)

BOOST_AUTO_TEST_CASE(a_third_session_on_one_connection_is_refused) {
    Gateway gateway(with_security("  maxSessions: 2\n"));
    const auto r = script(gateway, "sessions_until_refused.py", {"3", "echo up; exec cat"});
    BOOST_TEST_INFO(r.err);
    // libssh 0.10 can refuse a channel only as "administratively prohibited" (code 1).
    BOOST_TEST(r.out == "session 1 up\nsession 2 up\nsession 3 refused 1 \nclosed 0 0\n");
    const auto line = gateway.wait_for("SECURITY_MAX_SESSIONS");
    BOOST_TEST(json_field(line, "channelType") == "session");
    BOOST_TEST(json_field(line, "username") == "alice");
    BOOST_TEST(gateway.count("SECURITY_MAX_SESSIONS") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(configuration_server)

// The file allows every command; the configuration server disables them for
// bob only: the per-user section is merged over the file's.
BOOST_AUTO_TEST_CASE(a_per_user_section_is_merged_over_the_files) {
    HttpTestServer server;
    Gateway gateway(webhook_auth_config_server_local_backend(server.url()) + "security:\n  command:\n    mode: enable\n");
    server.respond("/password", {200, R"({"success": true})"});

    server.respond("/config", {200, R"({"config": {}})"});
    const auto alice = ssh(gateway, {"alice", "pw", {}}, {}, {"echo hello"});
    BOOST_TEST(alice.exit_code == 0);
    BOOST_TEST(alice.out == "hello\n");

    server.respond("/config", {200, R"({"config": {"security": {"command": {"mode": "disable"}}}})"});
    const auto bob = ssh(gateway, {"bob", "pw", {}}, {}, {"echo hello"});
    BOOST_TEST(bob.exit_code == 255);
    BOOST_TEST(bob.out.empty());
    BOOST_TEST(json_field(gateway.wait_for("SECURITY_EXEC_REJECTED"), "username") == "bob");
    BOOST_TEST(gateway.count("SECURITY_EXEC_REJECTED") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
