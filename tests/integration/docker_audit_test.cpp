// Session recording end to end through the Docker backend: the real
// OpenSSH client, a pty shell and an exec in containers of the test engine,
// recorded in both formats to both storages (a directory, and the S3 test
// server: s3rver behind a SigV4-verifying proxy); read back with the decoder
// we ship and played with Debian's asciinema.
#define BOOST_TEST_MODULE integration_docker_audit
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "harness/docker.hpp"
#include "harness/gateway.hpp"
#include "harness/probes.hpp"
#include "harness/recordings.hpp"
#include "s3_test_server.hpp"

#include <filesystem>
#include <memory>

using namespace csh::test;
namespace docker = csh::test::docker;
namespace data = boost::unit_test::data;
namespace fs = std::filesystem;

namespace {

constexpr auto kSshTimeout = std::chrono::seconds(180);
const std::vector<std::string> kFormats{"binary", "asciinema"};
const std::vector<std::string> kStorages{"file", "s3"};

std::string static_auth(const std::string& user, const std::string& password) {
    return "auth:\n  password:\n    method: static\n    static:\n      users:\n        " + user +
           ":\n          password: \"" + password + "\"\n";
}

// A gateway with its own user (containers are told apart by the username
// label), the Docker backend in connection mode, recording in `format` to
// `storage`.
class RecordedDockerGateway {
public:
    RecordedDockerGateway(const std::string& format, const std::string& storage)
        : user_("daudit" + random_hex(8)) {
        std::string audit = "audit:\n  enable: true\n  format: " + format + "\n  storage: " + storage +
                            "\n  intercept:\n    stdin: true\n    stdout: true\n    stderr: true\n";
        if (storage == "file") {
            audit += "  file:\n    directory: " + records_.path().string() + "\n";
        } else {
            s3_ = std::make_unique<S3TestServer>();
            audit += "  s3:\n    local: " + records_.path().string() + "\n    accessKey: " + s3_->access_key() +
                     "\n    secretKey: \"" + s3_->secret_key() + "\"\n    bucket: " + s3_->bucket() +
                     "\n    endpoint: " + s3_->endpoint() + "\n    pathStyleAccess: true\n";
        }
        gateway_ = std::make_unique<Gateway>(static_auth(user_, "pw") + docker::backend_config("connection") + audit);
    }
    ~RecordedDockerGateway() {
        // Nothing of the connection outlives it.
        BOOST_TEST(eventually([&] { return docker::containers_labelled("containerssh_username=" + user_).empty(); },
                              std::chrono::seconds(30)));
    }

    RunResult ssh_session(const std::vector<std::string>& options, const std::vector<std::string>& command,
                          const std::string& input = "") {
        return ssh(*gateway_, {user_, "pw", {}}, options, command, input, kSshTimeout);
    }

    // The recording of the one connection, as stored: the file, or the
    // object fetched from the bucket with awscli.
    std::string recording() {
        const std::string key = json_field(gateway_->wait_for("SSH_CONNECTED"), "connectionId");
        if (!s3_) {
            BOOST_TEST(!gateway_->wait_for("AUDIT_RECORDING_STORED", std::chrono::seconds(60)).empty());
            return (records_.path() / key).string();
        }
        BOOST_TEST(!gateway_->wait_for("AUDIT_S3_UPLOAD_COMPLETE", std::chrono::seconds(60)).empty());
        const std::string file = fetched_.file(key);
        const auto r = s3_->aws({"get-object", "--bucket", s3_->bucket(), "--key", key, file});
        BOOST_TEST_INFO(describe(r));
        BOOST_TEST(r.exit_code == 0);
        return file;
    }

private:
    TempDir records_;
    TempDir fetched_;
    std::string user_;
    std::unique_ptr<S3TestServer> s3_;
    std::unique_ptr<Gateway> gateway_;
};

RunResult play(const std::string& cast) {
    // asciinema cat writes to a terminal: give it one.
    return run({"script", "-q", "-e", "-c", "asciinema cat " + cast, "/dev/null"}, "", {}, std::chrono::seconds(30));
}

}  // namespace

BOOST_DATA_TEST_CASE(a_pty_shell_in_a_container_is_recorded, data::make(kFormats) * data::make(kStorages), format,
                     storage) {
    RecordedDockerGateway g(format, storage);
    const auto r = g.ssh_session({"-tt", "-o", "SetEnv=TERM=vt100"}, {}, "echo typed-in-the-shell\nexit 4\n");
    BOOST_TEST_INFO(describe(r));
    BOOST_TEST(r.exit_code == 4);
    BOOST_TEST(r.out.find("typed-in-the-shell") != std::string::npos);
    const std::string file = g.recording();
    if (format == "binary") {
        const Decoded decoded = decode_recording(file);
        BOOST_TEST_INFO(describe(decoded.run));
        BOOST_REQUIRE(decoded.run.exit_code == 0);
        // connect, login, channel, pty, the shell, its output, exit, close, disconnect.
        BOOST_TEST(in_order(message_types(decoded), {0, 100, 101, 199, 300, 301, 404, 405, 500, 499, 497, 1}));
        BOOST_TEST(payload_string(decoded, 404, "term").value_or("") == "vt100");
        BOOST_TEST(io_bytes(decoded, 0).find("echo typed-in-the-shell") != std::string::npos);
        BOOST_TEST(io_bytes(decoded, 1).find("typed-in-the-shell") != std::string::npos);
    } else {
        const std::string cast = read_file(file);
        BOOST_TEST_INFO(cast);
        BOOST_TEST(cast.rfind("{\"version\":2", 0) == 0);
        BOOST_TEST(cast.find("\"TERM\":\"vt100\"") != std::string::npos);
        const auto played = play(file);
        BOOST_TEST(played.exit_code == 0);
        BOOST_TEST(played.out.find("typed-in-the-shell") != std::string::npos);
    }
}

BOOST_DATA_TEST_CASE(an_exec_in_a_container_is_recorded, data::make(kFormats) * data::make(kStorages), format,
                     storage) {
    RecordedDockerGateway g(format, storage);
    const auto r = g.ssh_session({"-tt"}, {"echo first line; echo second line >&2"});
    BOOST_TEST(r.exit_code == 0);
    const std::string file = g.recording();
    if (format == "binary") {
        const Decoded decoded = decode_recording(file);
        BOOST_REQUIRE(decoded.run.exit_code == 0);
        BOOST_TEST(in_order(message_types(decoded), {0, 100, 101, 199, 300, 301, 404, 403, 500, 499, 497, 1}));
        BOOST_TEST(payload_string(decoded, 403, "program").value_or("") == "echo first line; echo second line >&2");
        // With a terminal, both streams arrive as the terminal's output.
        BOOST_TEST(io_bytes(decoded, 1) == "first line\r\nsecond line\r\n");
    } else {
        const std::string cast = read_file(file);
        BOOST_TEST_INFO(cast);
        BOOST_TEST(cast.find("\"command\":\"echo first line; echo second line >&2\"") != std::string::npos);
        const auto played = play(file);
        BOOST_TEST_INFO(describe(played));
        BOOST_TEST(played.exit_code == 0);
        BOOST_TEST(played.out.find("first line\r\nsecond line") != std::string::npos);
    }
}
