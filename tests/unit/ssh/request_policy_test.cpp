// The security verdict on each kind of decoded channel request: which code
// a refusal logs and what it names, never an env variable's value, and the
// forced command's SSH_ORIGINAL_COMMAND (none for a shell, as OpenSSH).
#include <boost/test/unit_test.hpp>

#include "config/config.hpp"
#include "ssh/request_policy.hpp"

#include <string>

using csh::ssh::ChannelRequest;
using csh::ssh::judge;
using csh::ssh::PolicyVerdict;
using csh::ssh::RequestKind;
using Action = PolicyVerdict::Action;

namespace {

csh::security::Policy policy_of(const std::string& security_yaml) {
    return csh::security::Policy(csh::config::Config::parse("security:\n" + security_yaml, false, "test").security());
}

ChannelRequest request(RequestKind kind, std::string name, std::string key = {}, std::string value = {}) {
    ChannelRequest r;
    r.kind = kind;
    r.name = std::move(name);
    r.key = std::move(key);
    r.value = std::move(value);
    return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(request_policy)

BOOST_AUTO_TEST_CASE(an_allowed_request_passes) {
    const auto p = policy_of("  defaultMode: enable\n");
    for (auto kind : {RequestKind::pty, RequestKind::env, RequestKind::exec, RequestKind::shell, RequestKind::subsystem,
                      RequestKind::signal, RequestKind::window_change}) {
        BOOST_TEST((judge(p, request(kind, "x", "NAME")).action == Action::pass));
    }
}

BOOST_AUTO_TEST_CASE(a_refused_env_names_the_variable_but_never_its_value) {
    const auto p = policy_of("  env:\n    mode: filter\n    allow: [LANG]\n");
    const auto v = judge(p, request(RequestKind::env, "env", "AWS_SECRET", "s3cr3t-value"));
    BOOST_TEST((v.action == Action::refuse));
    BOOST_TEST(std::string(v.code) == "SECURITY_ENV_REJECTED");
    BOOST_TEST(v.item_field == "env");
    BOOST_TEST(v.item == "AWS_SECRET");
    BOOST_TEST(v.reason.find("s3cr3t") == std::string::npos);
    BOOST_TEST(v.user_message.empty());  // nobody waits on an env request
}

BOOST_AUTO_TEST_CASE(each_refusal_carries_its_own_code_and_item) {
    const auto p = policy_of("  defaultMode: disable\n");
    struct Case {
        RequestKind kind;
        const char* key;
        const char* code;
        const char* field;
        bool tells_user;
    };
    for (const Case& c : {Case{RequestKind::exec, "id", "SECURITY_EXEC_REJECTED", "command", true},
                          Case{RequestKind::shell, "", "SECURITY_SHELL_REJECTED", "", true},
                          Case{RequestKind::subsystem, "sftp", "SECURITY_SUBSYSTEM_REJECTED", "subsystem", true},
                          Case{RequestKind::pty, "", "SECURITY_TTY_REJECTED", "", false},
                          Case{RequestKind::signal, "INT", "SECURITY_SIGNAL_REJECTED", "signal", false}}) {
        const auto v = judge(p, request(c.kind, "r", c.key));
        BOOST_TEST_CONTEXT(c.code) {
            BOOST_TEST((v.action == Action::refuse));
            BOOST_TEST(std::string(v.code) == c.code);
            BOOST_TEST(v.item_field == c.field);
            BOOST_TEST(v.item == c.key);
            BOOST_TEST(v.user_message.empty() == !c.tells_user);
            BOOST_TEST(v.reason.find("disable") != std::string::npos);
        }
    }
    // Not in the policy: a window change always reaches the backend.
    BOOST_TEST((judge(p, request(RequestKind::window_change, "window-change")).action == Action::pass));
}

BOOST_AUTO_TEST_CASE(force_command_replaces_exec_and_subsystem_with_the_original_kept) {
    const auto p = policy_of("  forceCommand: /bin/menu\n  command:\n    mode: disable\n");
    const auto exec = judge(p, request(RequestKind::exec, "exec", "ls -l"));
    BOOST_TEST((exec.action == Action::force_command));  // wins over the command mode
    BOOST_TEST(exec.set_original_command);
    BOOST_TEST(exec.original_command == "ls -l");
    const auto sftp = judge(p, request(RequestKind::subsystem, "subsystem", "sftp"));
    BOOST_TEST((sftp.action == Action::force_command));
    BOOST_TEST(sftp.original_command == "sftp");
}

BOOST_AUTO_TEST_CASE(force_command_runs_for_a_shell_without_an_original_command) {
    const auto p = policy_of("  forceCommand: /bin/menu\n  shell:\n    mode: disable\n");
    const auto shell = judge(p, request(RequestKind::shell, "shell"));
    BOOST_TEST((shell.action == Action::force_command));
    BOOST_TEST(!shell.set_original_command);
    // Requests that start no program are judged as usual.
    BOOST_TEST((judge(p, request(RequestKind::env, "env", "LANG", "C")).action == Action::pass));
}

BOOST_AUTO_TEST_SUITE_END()
