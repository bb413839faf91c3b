// The decisions of the `security` section (reference §2.11), each from the
// YAML an operator writes: item mode, then defaultMode, then enable;
// enable = all but deny, filter = only allow, disable = nothing; shell and
// tty have no lists, so filter means disable.
#include <boost/test/unit_test.hpp>

#include "config/config.hpp"
#include "security/policy.hpp"

#include <string>

using csh::security::mode_name;
using csh::security::Policy;

namespace {

Policy policy_of(const std::string& security_yaml) {
    const auto config = csh::config::Config::parse("security:\n" + security_yaml, false, "test");
    return Policy(config.security());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(policy)

BOOST_AUTO_TEST_CASE(an_empty_section_allows_everything_and_forces_nothing) {
    const Policy p(csh::config::Config().security());
    BOOST_TEST(p.allows_env("LANG"));
    BOOST_TEST(p.allows_command("rm -rf /"));
    BOOST_TEST(p.allows_shell());
    BOOST_TEST(p.allows_subsystem("sftp"));
    BOOST_TEST(p.allows_tty());
    BOOST_TEST(p.allows_signal("KILL"));
    BOOST_TEST(p.forced_command().empty());
    BOOST_TEST(p.max_sessions() == -1);
    BOOST_TEST(!p.session_limit_reached(100000));
}

BOOST_AUTO_TEST_CASE(enable_allows_all_but_the_deny_list) {
    const Policy p = policy_of("  env:\n    mode: enable\n    allow: [ONLY]\n    deny: [LD_PRELOAD]\n");
    BOOST_TEST(std::string(mode_name(p.env_mode())) == "enable");
    BOOST_TEST(!p.allows_env("LD_PRELOAD"));
    BOOST_TEST(p.allows_env("LANG"));   // the allow list does not matter in enable
    BOOST_TEST(p.allows_env("ld_preload"));  // exact, case-sensitive names
}

BOOST_AUTO_TEST_CASE(filter_allows_only_the_allow_list) {
    const Policy p = policy_of("  subsystem:\n    mode: filter\n    allow: [sftp]\n    deny: [sftp]\n");
    BOOST_TEST(p.allows_subsystem("sftp"));  // the deny list does not matter in filter
    BOOST_TEST(!p.allows_subsystem("scp"));
    BOOST_TEST(!p.allows_subsystem(""));
}

BOOST_AUTO_TEST_CASE(disable_allows_nothing_whatever_the_lists_say) {
    const Policy p = policy_of("  env:\n    mode: disable\n    allow: [LANG]\n");
    BOOST_TEST(!p.allows_env("LANG"));
    BOOST_TEST(!p.allows_env("OTHER"));
}

BOOST_AUTO_TEST_CASE(an_items_mode_falls_back_to_default_mode_then_enable) {
    const Policy p = policy_of("  defaultMode: disable\n  shell:\n    mode: enable\n");
    BOOST_TEST(p.allows_shell());         // its own mode
    BOOST_TEST(!p.allows_tty());          // defaultMode
    BOOST_TEST(!p.allows_command("ls"));  // defaultMode
    BOOST_TEST(std::string(mode_name(p.command_mode())) == "disable");
    const Policy q = policy_of("  defaultMode: filter\n  command:\n    allow: [ls]\n");
    BOOST_TEST(q.allows_command("ls"));
    BOOST_TEST(!q.allows_env("LANG"));  // filter with no allow list
    BOOST_TEST(!q.allows_shell());
}

BOOST_AUTO_TEST_CASE(command_is_an_exact_match_of_the_whole_line) {
    const Policy p = policy_of("  command:\n    mode: filter\n    allow: [\"echo hello\"]\n");
    BOOST_TEST(p.allows_command("echo hello"));
    BOOST_TEST(!p.allows_command("echo hello "));
    BOOST_TEST(!p.allows_command("echo hello; id"));
    BOOST_TEST(!p.allows_command("echo"));
}

BOOST_AUTO_TEST_CASE(filter_means_disable_for_shell_and_tty) {
    const Policy p = policy_of("  shell:\n    mode: filter\n  tty:\n    mode: filter\n");
    BOOST_TEST(!p.allows_shell());
    BOOST_TEST(!p.allows_tty());
    BOOST_TEST(p.allows_command("ls"));
}

BOOST_AUTO_TEST_CASE(signal_names_match_with_or_without_sig) {
    const Policy p = policy_of("  signal:\n    mode: enable\n    deny: [SIGKILL, TERM]\n");
    BOOST_TEST(!p.allows_signal("KILL"));
    BOOST_TEST(!p.allows_signal("TERM"));
    BOOST_TEST(!p.allows_signal("SIGTERM"));
    BOOST_TEST(p.allows_signal("INT"));
    const Policy q = policy_of("  signal:\n    mode: filter\n    allow: [SIGINT]\n");
    BOOST_TEST(q.allows_signal("INT"));
    BOOST_TEST(!q.allows_signal("HUP"));
}

BOOST_AUTO_TEST_CASE(max_sessions_limits_open_sessions_per_connection) {
    const Policy two = policy_of("  maxSessions: 2\n");
    BOOST_TEST(!two.session_limit_reached(0));
    BOOST_TEST(!two.session_limit_reached(1));
    BOOST_TEST(two.session_limit_reached(2));
    BOOST_TEST(two.session_limit_reached(3));
    BOOST_TEST(policy_of("  maxSessions: 0\n").session_limit_reached(0));
    BOOST_TEST(!policy_of("  maxSessions: -1\n").session_limit_reached(1000));
}

BOOST_AUTO_TEST_CASE(a_configuration_servers_answer_overrides_the_files_section) {
    const auto file = csh::config::Config::parse(
        "security:\n  forceCommand: /bin/menu\n  env:\n    mode: filter\n    allow: [LANG]\n", false, "file");
    const auto user = file.merged_with(R"({"security": {"forceCommand": "", "env": {"mode": "disable"},
                                          "tty": {"mode": "disable"}, "maxSessions": 1}})",
                                       "configuration server response");
    const Policy from_file(file.security());
    const Policy for_user(user.security());
    BOOST_TEST(from_file.forced_command() == "/bin/menu");
    BOOST_TEST(from_file.allows_env("LANG"));
    BOOST_TEST(for_user.forced_command().empty());  // an explicit "" overrides, unlike ContainerSSH
    BOOST_TEST(!for_user.allows_env("LANG"));
    BOOST_TEST(!for_user.allows_tty());
    BOOST_TEST(for_user.session_limit_reached(1));
    BOOST_TEST(from_file.allows_tty());
}

BOOST_AUTO_TEST_SUITE_END()
