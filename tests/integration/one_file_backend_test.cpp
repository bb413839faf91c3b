// The one-file backend of examples/one-file-backend (the one the plugin guide
// shows), loaded by the real gateway and used through the real OpenSSH client.
#define BOOST_TEST_MODULE integration_one_file_backend
#include <boost/test/unit_test.hpp>

#include "harness/gateway.hpp"

using namespace csh::test;

namespace {

struct UpperGateway {
    Gateway gateway{
        "auth:\n"
        "  password:\n"
        "    method: static\n"
        "    static:\n"
        "      users:\n"
        "        alice:\n"
        "          password: \"pw\"\n"
        "backend: upper\n"};
    SshLogin login{"alice", "pw", {}};
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(one_file_backend, UpperGateway)

BOOST_AUTO_TEST_CASE(echo_prints_its_words) {
    const auto r = ssh(gateway, login, {}, {"echo", "hello", "world"});
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.out == "hello world\n");
}

BOOST_AUTO_TEST_CASE(upper_copies_stdin_in_upper_case_until_eof) {
    std::string input;
    for (int i = 0; i < 20000; ++i) input += "line " + std::to_string(i) + " of the input\n";
    std::string expected = input;
    for (char& c : expected) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const auto r = ssh(gateway, login, {}, {"upper"}, input);
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.out.size() == expected.size());
    BOOST_TEST((r.out == expected));
}

BOOST_AUTO_TEST_CASE(exit_status_and_unknown_commands_reach_the_client) {
    BOOST_TEST(ssh(gateway, login, {}, {"exit", "3"}).exit_code == 3);
    const auto r = ssh(gateway, login, {}, {"rm", "-rf", "/"});
    BOOST_TEST(r.exit_code == 127);
    BOOST_TEST(r.err.find("upper: unknown command") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_shell_is_refused_because_the_example_offers_none) {
    const auto r = ssh(gateway, login, {"-T"}, {});
    BOOST_TEST(r.exit_code != 0);
    BOOST_TEST(r.out.empty());
}

BOOST_AUTO_TEST_SUITE_END()
