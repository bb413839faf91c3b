// Keyboard-interactive logins through the real OpenSSH client: auth-static
// asks "Password: " then "Code: ", and ssh answers through an askpass script.
#define BOOST_TEST_MODULE integration_kbdint
#include <boost/test/unit_test.hpp>

#include "harness/configs.hpp"
#include "harness/gateway.hpp"

#include <filesystem>
#include <sstream>

using namespace csh::test;

namespace {

const User kAlice{"alice", "kbd-pass-Qx7w", ""};
const std::string kCode = "code-731904";

// With SSH_ASKPASS_REQUIRE=force, OpenSSH runs SSH_ASKPASS once per
// keyboard-interactive question with the prompt as $1 ("(alice@127.0.0.1)
// Password: " in OpenSSH 9). This script answers by the prompt's ending and
// appends each prompt to a file, so a test sees which rounds the client got.
// With CSH_TEST_LEAVE_AT_CODE set it kills ssh (its parent) instead of
// answering "Code: ", so the client goes away in the middle of the exchange.
std::filesystem::path write_kbdint_askpass(const Gateway& gateway) {
    const auto script = gateway.dir() / "kbdint-askpass.sh";
    write_file(script,
               "#!/bin/sh\n"
               "printf '%s\\n' \"$1\" >> \"$CSH_TEST_PROMPTS\"\n"
               "case \"$1\" in\n"
               "  *'Password: ') printf '%s\\n' \"$CSH_TEST_KBD_PASSWORD\" ;;\n"
               "  *'Code: ')\n"
               "    if [ -n \"$CSH_TEST_LEAVE_AT_CODE\" ]; then kill -KILL \"$PPID\"; exit 1; fi\n"
               "    printf '%s\\n' \"$CSH_TEST_KBD_CODE\" ;;\n"
               "  *) exit 1 ;;\n"
               "esac\n");
    std::filesystem::permissions(script, std::filesystem::perms::owner_all);
    return script;
}

struct KbdIntGateway {
    Gateway gateway{static_kbdint_local_backend(kAlice, kCode)};
    std::filesystem::path prompts = gateway.dir() / "prompts.log";

    // Logs in as alice by keyboard-interactive only, answering `password`
    // and `code` (or leaving instead of answering the code), and runs `command`.
    RunResult login(const std::string& password, const std::string& code, const std::vector<std::string>& command,
                    bool leave_at_code = false) {
        // A password makes the harness choose interactive (not batch) options
        // with one attempt; the options below then select keyboard-interactive.
        const SshLogin login{kAlice.name, password, {}};
        auto env = ssh_env(gateway, login);
        env["SSH_ASKPASS"] = write_kbdint_askpass(gateway).string();
        env["CSH_TEST_KBD_PASSWORD"] = password;
        env["CSH_TEST_KBD_CODE"] = code;
        env["CSH_TEST_PROMPTS"] = prompts.string();
        if (leave_at_code) env["CSH_TEST_LEAVE_AT_CODE"] = "1";
        const std::vector<std::string> options{"-o", "PreferredAuthentications=keyboard-interactive",
                                               "-o", "PubkeyAuthentication=no",
                                               "-o", "KbdInteractiveAuthentication=yes"};
        return run(ssh_command(gateway, login, options, command), "", env);
    }

    // The prompts the askpass script was run with, in order.
    std::vector<std::string> prompts_asked() const {
        std::vector<std::string> lines;
        std::istringstream in(std::filesystem::exists(prompts) ? read_file(prompts) : std::string());
        for (std::string line; std::getline(in, line);) lines.push_back(line);
        return lines;
    }

    // Neither answer appears in any line the gateway logged.
    void expect_answers_not_logged() const {
        for (const auto& line : gateway.lines()) {
            BOOST_TEST(line.find(kAlice.password) == std::string::npos, "the password was logged: " << line);
            BOOST_TEST(line.find(kCode) == std::string::npos, "the code was logged: " << line);
        }
    }

    std::string gateway_log() const {
        std::string log;
        for (const auto& line : gateway.lines()) log += line + "\n";
        return log;
    }
};

bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(kbdint, KbdIntGateway)

BOOST_AUTO_TEST_CASE(correct_answers_log_in_and_run_the_command) {
    const auto r = login(kAlice.password, kCode, {"echo", "kbd-ok"});
    BOOST_TEST(r.exit_code == 0, "ssh stderr: " << r.err << "\ngateway log:\n" << gateway_log());
    BOOST_TEST(r.out == "kbd-ok\n");

    const auto success = gateway.wait_for("SSH_AUTH_SUCCESSFUL");
    BOOST_TEST_REQUIRE(!success.empty(), "gateway log:\n" << gateway_log());
    BOOST_TEST(json_field(success, "method") == "keyboard-interactive");
    BOOST_TEST(json_field(success, "username") == "alice", success);
    BOOST_TEST(gateway.count("AUTH_STATIC_KBDINT_ACCEPTED") == 1u);

    // Two rounds, in order: the password, then the code.
    const auto asked = prompts_asked();
    BOOST_TEST_REQUIRE(asked.size() == 2u);
    BOOST_TEST(ends_with(asked[0], "Password: "), asked[0]);
    BOOST_TEST(ends_with(asked[1], "Code: "), asked[1]);
    expect_answers_not_logged();
}

BOOST_AUTO_TEST_CASE(a_wrong_code_is_refused) {
    const auto r = login(kAlice.password, "code-000000", {"echo", "kbd-ok"});
    BOOST_TEST(r.exit_code == 255);
    BOOST_TEST(r.out.empty());
    BOOST_TEST(r.err.find("Permission denied") != std::string::npos, r.err);

    const auto failed = gateway.wait_for("SSH_AUTH_FAILED");
    BOOST_TEST_REQUIRE(!failed.empty(), "gateway log:\n" << gateway_log());
    BOOST_TEST(json_field(failed, "method") == "keyboard-interactive");
    BOOST_TEST(json_field(failed, "username") == "alice", failed);  // as for a refused password
    BOOST_TEST(gateway.count("SSH_AUTH_SUCCESSFUL") == 0u);
    const auto refused = gateway.wait_for("AUTH_STATIC_KBDINT_REJECTED");
    BOOST_TEST(json_field(refused, "reason") == "the code does not match");
    BOOST_TEST(prompts_asked().size() == 2u);  // refused only after both rounds
    BOOST_TEST(gateway_log().find("code-000000") == std::string::npos);
    expect_answers_not_logged();
}

// The ABI promises the plugin NULL answers when the client goes away, so it
// can end the attempt; auth-static then refuses it with "the client went away".
BOOST_AUTO_TEST_CASE(a_client_that_leaves_mid_exchange_ends_the_attempt) {
    const auto r = login(kAlice.password, kCode, {"echo", "kbd-ok"}, true);
    BOOST_TEST(r.out.empty());
    BOOST_TEST(r.exit_code == 128 + 9);  // killed by its askpass
    BOOST_TEST_REQUIRE(prompts_asked().size() == 2u);

    BOOST_TEST_REQUIRE(!gateway.wait_for("SSH_DISCONNECTED").empty(), "gateway log:\n" << gateway_log());
    const auto refused = gateway.wait_for("AUTH_STATIC_KBDINT_REJECTED");
    BOOST_TEST(json_field(refused, "reason") == "the client went away", "gateway log:\n" << gateway_log());
    BOOST_TEST(gateway.count("SSH_AUTH_SUCCESSFUL") == 0u);
    expect_answers_not_logged();
}

BOOST_AUTO_TEST_SUITE_END()
