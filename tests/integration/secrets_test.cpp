// No secret in any log line: gateways log at debug (the harness's level)
// through logins that carry every kind of secret the gateway handles, and
// every line they wrote, stdout and stderr, is searched for each secret.
#define BOOST_TEST_MODULE integration_secrets
#include <boost/test/unit_test.hpp>

#include "harness/configs.hpp"
#include "harness/gateway.hpp"
#include "harness/probes.hpp"

#include <http_test_server.hpp>

#include <string>
#include <vector>

using namespace csh::test;
using csh::test::HttpTestServer;

namespace {

const std::string kPassword = "pw-Zq81-never-logged";
const std::string kWrongPassword = "pw-Wr0ng-never-logged";
const std::string kUrlToken = "tok-Hk27-never-logged";
const std::string kUrlUserPassword = "up-Ff93-never-logged";
const std::string kSensitiveEnv = "env-Lm45-never-logged";
const std::string kSensitiveMetadata = "meta-Pq66-never-logged";
const std::string kRegistryPassword = "reg-Vb12-never-logged";
const std::string kRegistryAuth = "cmVnLXVzZXI6cmVnLVZiMTItbmV2ZXItbG9nZ2Vk";  // base64 of reg-user:<password>

// Every line of the gateway, and what it wrote on stderr.
std::string everything_logged(const Gateway& gateway) {
    std::string text = gateway.stderr_text();
    for (const auto& line : gateway.lines()) text += line + "\n";
    return text;
}

void check_no_secret(const std::string& logged, const std::vector<std::string>& secrets) {
    BOOST_TEST(logged.find("\"level\":\"debug\"") != std::string::npos);  // the debug lines were there to read
    for (const auto& secret : secrets) {
        const size_t at = logged.find(secret);
        const size_t line_start = at == std::string::npos ? 0 : logged.rfind('\n', at) + 1;
        BOOST_TEST(at == std::string::npos,
                   "secret " << secret << " logged in: " << logged.substr(line_start, logged.find('\n', at) - line_start));
    }
}

}  // namespace

// Password and public-key webhooks at a URL with a user's password and a
// token, a configuration server, sensitive environment and metadata, an
// inline host key, a refused and an accepted password.
BOOST_AUTO_TEST_CASE(webhook_logins_log_no_secret) {
    HttpTestServer server;
    // A password in the webhooks' URL (sent as basic authentication), a
    // token in the configuration server's query.
    const std::string prefix = "/hook";
    const std::string url = "http://hook:" + kUrlUserPassword + "@" +
                            server.url().substr(std::string("http://").size()) + prefix;
    const std::string granted = R"({"success": true, "environment": {"API_KEY": {"value": ")" + kSensitiveEnv +
                                R"(", "sensitive": true}}, "metadata": {"vault": {"value": ")" +
                                kSensitiveMetadata + R"(", "sensitive": true}}})";
    server.respond(prefix + "/password", {200, R"({"success": false})"});
    server.respond(prefix + "/pubkey", {200, R"({"success": false})"});
    server.respond(prefix + "/config", {200, R"({"config": {}})"});
    TempDir keys;
    const auto host_key = make_key(keys.path(), "inline_host_key");
    const std::string pem = read_file(host_key);
    std::string inline_key = "    - |\n";
    for (size_t start = 0; start < pem.size();) {
        const size_t end = pem.find('\n', start);
        inline_key += "      " + pem.substr(start, end - start) + "\n";
        start = end == std::string::npos ? pem.size() : end + 1;
    }
    const std::string webhook = "    method: webhook\n    webhook:\n      url: \"" + url + "\"\n      timeout: 2s\n";
    Gateway gateway("auth:\n  password:\n" + webhook + "  publicKey:\n" + webhook +
                        "configserver:\n  url: \"" + url + "/config?token=" + kUrlToken + "\"\n  timeout: 2s\n"
                        "backend: local\nlocal:\n  shell: [/bin/sh]\n",
                    false, {"hostkeys:\n" + inline_key});

    const auto refused = ssh(gateway, {"alice", kWrongPassword, {}}, {}, {"true"});
    BOOST_TEST(refused.exit_code == 255);
    server.respond(prefix + "/password", {200, granted});
    const auto user_key = make_key(keys.path(), "user_key");
    const auto accepted = ssh(gateway, {"alice", kPassword, {}}, {}, {"echo \"$API_KEY\" | wc -c"});
    const auto by_key = ssh(gateway, {"alice", "", user_key}, {}, {"true"});
    BOOST_TEST_CONTEXT(describe(accepted)) {
        BOOST_TEST(accepted.exit_code == 0);
        BOOST_TEST(accepted.out == std::to_string(kSensitiveEnv.size() + 1) + "\n");  // the program got the value
    }
    BOOST_TEST(by_key.exit_code == 255);  // the webhook said no
    BOOST_TEST(server.requests(prefix + "/pubkey").size() >= 1u);
    BOOST_TEST(server.requests(prefix + "/config").size() == 1u);

    // The PEM's base64 body, a line of it being enough to give the key away.
    const std::string key_line = pem.substr(pem.find('\n') + 1, 40);
    check_no_secret(everything_logged(gateway), {kPassword, kWrongPassword, kUrlToken, kUrlUserPassword,
                                                 kSensitiveEnv, kSensitiveMetadata, key_line});
}

// Registry credentials in the file, and a login whose container cannot be
// made (no engine answers): the Docker backend reads them, logs its start
// and its failures, and never the credentials.
BOOST_AUTO_TEST_CASE(registry_credentials_are_never_logged) {
    TempDir dir;
    Gateway gateway("auth:\n  password:\n    method: static\n    static:\n      users:\n        alice:\n"
                    "          password: \"" + kPassword + "\"\n"
                    "backend: docker\n"
                    "docker:\n"
                    "  connection: {host: \"unix://" + (dir.path() / "no-engine.sock").string() + "\"}\n"
                    "  execution:\n"
                    "    imagePullPolicy: Always\n"
                    "    auth: {username: reg-user, password: \"" + kRegistryPassword + "\", auth: \"" +
                    kRegistryAuth + "\"}\n");
    const auto r = ssh(gateway, {"alice", kPassword, {}}, {}, {"true"});
    BOOST_TEST(r.exit_code == 255);  // no engine, no container
    BOOST_TEST(!gateway.wait_for("DOCKER_BACKEND_READY").empty());
    check_no_secret(everything_logged(gateway), {kPassword, kRegistryPassword, kRegistryAuth});
}
