// Session recording end to end through the Docker backend: the real
// OpenSSH client, a pty session and an exec in containers of the test
// engine, recorded in both formats; read back with the decoder we ship and
// played with Debian's asciinema.
#define BOOST_TEST_MODULE integration_docker_audit
#include <boost/test/unit_test.hpp>

#include "harness/docker.hpp"
#include "harness/gateway.hpp"
#include "harness/probes.hpp"
#include "harness/recordings.hpp"

#include <filesystem>

using namespace csh::test;
namespace docker = csh::test::docker;
namespace fs = std::filesystem;

namespace {

constexpr auto kSshTimeout = std::chrono::seconds(180);

std::string static_auth(const std::string& user, const std::string& password) {
    return "auth:\n  password:\n    method: static\n    static:\n      users:\n        " + user +
           ":\n          password: \"" + password + "\"\n";
}

std::string audit_to_file(const std::string& format, const std::string& directory) {
    return "audit:\n  enable: true\n  format: " + format +
           "\n  storage: file\n  intercept:\n    stdin: true\n    stdout: true\n    stderr: true\n  file:\n"
           "    directory: " + directory + "\n";
}

// A gateway with its own user (containers are told apart by the username
// label), the Docker backend in connection mode and recording to files.
struct RecordedDockerGateway {
    explicit RecordedDockerGateway(const std::string& format)
        : user("daudit" + random_hex(8)),
          gateway(static_auth(user, "pw") + docker::backend_config("connection") +
                  audit_to_file(format, records.path().string())) {}
    ~RecordedDockerGateway() {
        // Nothing of the connection outlives it.
        BOOST_TEST(eventually([&] { return docker::containers_labelled("containerssh_username=" + user).empty(); },
                              std::chrono::seconds(30)));
    }
    std::string recording() {
        BOOST_TEST(!gateway.wait_for("AUDIT_RECORDING_STORED", std::chrono::seconds(60)).empty());
        for (const auto& entry : fs::directory_iterator(records.path())) {
            if (entry.path().filename().string().find('.') == std::string::npos) return entry.path().string();
        }
        return "";
    }

    TempDir records;
    std::string user;
    Gateway gateway;
    SshLogin login() const { return {user, "pw", {}}; }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_pty_shell_in_a_container_is_recorded_in_the_binary_format) {
    RecordedDockerGateway g("binary");
    const auto r = ssh(g.gateway, g.login(), {"-tt", "-o", "SetEnv=TERM=vt100"}, {},
                       "echo typed-in-the-shell\nexit 4\n", kSshTimeout);
    BOOST_TEST_INFO(describe(r));
    BOOST_TEST(r.exit_code == 4);
    BOOST_TEST(r.out.find("typed-in-the-shell") != std::string::npos);
    const Decoded decoded = decode_recording(g.recording());
    BOOST_TEST_INFO(describe(decoded.run));
    BOOST_REQUIRE(decoded.run.exit_code == 0);
    // connect, login, channel, pty, the shell, its output, exit, close, disconnect.
    BOOST_TEST(in_order(message_types(decoded), {0, 100, 101, 199, 300, 301, 404, 405, 500, 499, 497, 1}));
    BOOST_TEST(payload_string(decoded, 404, "term").value_or("") == "vt100");
    BOOST_TEST(io_bytes(decoded, 0).find("echo typed-in-the-shell") != std::string::npos);
    BOOST_TEST(io_bytes(decoded, 1).find("typed-in-the-shell") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_exec_in_a_container_is_recorded_as_a_cast_that_plays) {
    RecordedDockerGateway g("asciinema");
    const auto r = ssh(g.gateway, g.login(), {"-tt"}, {"echo first line; echo second line"}, "", kSshTimeout);
    BOOST_TEST(r.exit_code == 0);
    const std::string file = g.recording();
    const std::string cast = read_file(file);
    BOOST_TEST_INFO(cast);
    BOOST_TEST(cast.rfind("{\"version\":2", 0) == 0);
    BOOST_TEST(cast.find("\"command\":\"echo first line; echo second line\"") != std::string::npos);
    const auto played = run({"script", "-q", "-e", "-c", "asciinema cat " + file, "/dev/null"}, "", {}, std::chrono::seconds(30));
    BOOST_TEST_INFO(describe(played));
    BOOST_TEST(played.exit_code == 0);
    BOOST_TEST(played.out.find("first line\r\nsecond line") != std::string::npos);
}
