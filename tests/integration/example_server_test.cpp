// The gateway with the example auth and configuration server
// (examples/auth-config-server), the real OpenSSH client, and configuration
// files written the way ContainerSSH users write them.
#define BOOST_TEST_MODULE integration_example_server
#include <boost/test/unit_test.hpp>

#include "harness/gateway.hpp"

#include <csignal>
#include <fstream>
#include <memory>
#include <string>

using namespace csh::test;

namespace {

// `openssl passwd -6`: the hash format the example server documents.
std::string crypt_hash(const std::string& password) {
    const auto r = run({"openssl", "passwd", "-6", "-stdin"}, password + "\n");
    BOOST_TEST_REQUIRE(r.exit_code == 0);
    return r.out.substr(0, r.out.find('\n'));
}

std::string public_key_line(const std::filesystem::path& private_key) {
    std::ifstream in(private_key.string() + ".pub");
    std::string type, base64;
    in >> type >> base64;
    return type + " " + base64;
}

// The example server on a free loopback port, serving one user.
struct ExampleServer {
    ExampleServer() {
        key = make_key(dir.path(), "alice_key");
        std::ofstream(dir.file("users.yaml"))
            << "users:\n"
               "  alice:\n"
               "    password: \"" << crypt_hash("correct horse") << "\"\n"
               "    authorizedKeys: [\"" << public_key_line(key) << " alice@laptop\"]\n"
               "    environment: {TEAM: ops}\n"
               "    config:\n"
               "      local: {workdir: /tmp}\n";
        child = std::make_unique<Child>(std::vector<std::string>{
            "setpriv", "--pdeathsig", "KILL", "--", CSH_EXAMPLE_SERVER, "--users", dir.file("users.yaml"),
            "--listen", "127.0.0.1:0"});
        std::string line;
        while (child->read_line(line, std::chrono::seconds(20))) {
            if (line.find("\"CONFIG_SERVER_AVAILABLE\"") != std::string::npos) break;
        }
        url = "http://" + json_field(line, "address");
        BOOST_TEST_REQUIRE(url.size() > 7u);
    }
    ~ExampleServer() { child->stop(SIGTERM, std::chrono::seconds(10)); }

    TempDir dir;
    std::filesystem::path key;
    std::unique_ptr<Child> child;
    std::string url;
};

// A ContainerSSH 0.5 file: every webhook key spelled out as its reference
// lists them (backend local instead of docker until that plugin exists).
std::string containerssh_05_config(const std::string& url) {
    const std::string webhook = "    webhook:\n"
                                "      url: " + url + "\n"
                                "      timeout: 2s\n"
                                "      authTimeout: 60s\n"
                                "      allowRedirects: false\n"
                                "      cacert: \"\"\n"
                                "      cert: \"\"\n"
                                "      key: \"\"\n"
                                "      tlsVersion: \"1.3\"\n"
                                "      curves: [x25519, secp256r1, secp384r1, secp521r1]\n"
                                "      cipher: [TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, "
                                "TLS_CHACHA20_POLY1305_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "
                                "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]\n";
    return "auth:\n"
           "  password:\n    method: webhook\n" + webhook +
           "  publicKey:\n    method: webhook\n" + webhook +
           "  authz:\n    method: webhook\n" + webhook +
           "configserver:\n"
           "  url: " + url + "/config\n"
           "  timeout: 2s\n"
           "  allowRedirects: false\n"
           "  transmitSensitiveMetadata: false\n"
           "backend: local\n"
           "local:\n"
           "  shell: [/bin/sh]\n";
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(password_and_key_logins_through_the_example_server, ExampleServer) {
    Gateway gateway(containerssh_05_config(url));
    const auto password = ssh(gateway, {"alice", "correct horse", {}}, {}, {"echo $TEAM; pwd"});
    BOOST_TEST(password.exit_code == 0);
    BOOST_TEST(password.out == "ops\n/tmp\n");

    const auto with_key = ssh(gateway, {"alice", "", key}, {}, {"echo", "key-ok"});
    BOOST_TEST(with_key.exit_code == 0);
    BOOST_TEST(with_key.out == "key-ok\n");

    const auto wrong = ssh(gateway, {"alice", "wrong horse", {}}, {}, {"echo", "in"});
    BOOST_TEST(wrong.exit_code == 255);
    BOOST_TEST(wrong.out.empty());
    BOOST_TEST(gateway.count("AUTH_FAILED") == 1u);
}

BOOST_FIXTURE_TEST_CASE(the_containerssh_04_auth_url_form_still_logs_in_with_a_warning, ExampleServer) {
    Gateway gateway("auth:\n"
                    "  url: " + url + "\n"
                    "  password: true\n"
                    "  pubkey: false\n"
                    "  timeout: 2s\n"
                    "backend: local\n"
                    "local:\n"
                    "  shell: [/bin/sh]\n");
    const auto line = gateway.wait_for("CORE_CONFIG_DEPRECATED");
    BOOST_TEST(line.find("auth.password.webhook") != std::string::npos);
    const auto r = ssh(gateway, {"alice", "correct horse", {}}, {}, {"echo", "legacy-ok"});
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.out == "legacy-ok\n");
    // pubkey: false: no public-key webhook, so the key is refused.
    const auto with_key = ssh(gateway, {"alice", "", key}, {}, {"echo", "in"});
    BOOST_TEST(with_key.exit_code == 255);
}
