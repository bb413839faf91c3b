// The auth-http and config-http plugins in the real gateway, with the real
// OpenSSH client, against an in-process HTTP server that plays the
// operator's auth and configuration servers and records every request.
#define BOOST_TEST_MODULE integration_webhooks
#include <boost/test/unit_test.hpp>

#include "harness/gateway.hpp"

#include <http_test_server.hpp>

#include <simdjson.h>

#include <cstdlib>
#include <fstream>
#include <string>

using namespace csh::test;
using namespace std::chrono_literals;

namespace {

// Both webhook methods and authz on `url`, a configuration server when
// `with_config_server`, and the local-process backend.
std::string webhook_config(const std::string& url, bool with_authz, bool with_config_server,
                           const std::string& auth_timeout = "5s") {
    const std::string webhook = "    method: webhook\n"
                                "    webhook:\n"
                                "      url: " + url + "\n"
                                "      timeout: 1s\n"
                                "      authTimeout: " + auth_timeout + "\n";
    std::string config = "auth:\n  password:\n" + webhook + "  publicKey:\n" + webhook;
    if (with_authz) config += "  authz:\n" + webhook;
    if (with_config_server) config += "configserver:\n  url: " + url + "/config\n  timeout: 1s\n";
    config += "backend: local\n"
              "local:\n"
              "  shell: [/bin/sh]\n"
              "  workdir: /\n"
              "  inheritEnvironment: true\n";
    return config;
}

// One field of a recorded JSON request body ("<absent>" when missing).
std::string field(const std::string& json, const char* key) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(json).get(root) != simdjson::SUCCESS) return "<not json>";
    std::string_view value;
    return root[key].get_string().get(value) == simdjson::SUCCESS ? std::string(value) : std::string("<absent>");
}

std::string public_key_line(const std::filesystem::path& private_key) {
    std::ifstream in(private_key.string() + ".pub");
    std::string type, base64;
    in >> type >> base64;
    return type + " " + base64;
}

struct WebhookGateway {
    HttpTestServer server;
    Gateway gateway{webhook_config(server.url(), false, false)};
};

}  // namespace

BOOST_AUTO_TEST_SUITE(authentication)

BOOST_FIXTURE_TEST_CASE(password_login_sends_containerssh_fields_and_gets_the_environment, WebhookGateway) {
    server.respond("/password", {200, R"({"success": true, "authenticatedUsername": "alice",
        "environment": {"TEAM": {"value": "ops", "sensitive": false}}})"});
    const auto r = ssh(gateway, {"alice", "h\xC3\xA9llo w\xC3\xB6rld", {}}, {}, {"echo team=$TEAM"});
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.out == "team=ops\n");

    const auto requests = server.requests("/password");
    BOOST_REQUIRE(requests.size() == 1u);
    const std::string& body = requests[0].body;
    BOOST_TEST(field(body, "username") == "alice");
    BOOST_TEST(field(body, "passwordBase64") == "aMOpbGxvIHfDtnJsZA==");
    BOOST_TEST(field(body, "remoteAddress").rfind("127.0.0.1:", 0) == 0u);
    BOOST_TEST(field(body, "connectionId").size() == 32u);
    BOOST_TEST(field(body, "clientVersion").rfind("SSH-2.0-OpenSSH", 0) == 0u);
    BOOST_TEST(!gateway.wait_for("AUTH_SUCCESSFUL").empty());
}

BOOST_FIXTURE_TEST_CASE(a_wrong_password_is_refused, WebhookGateway) {
    server.respond("/password", {200, R"({"success": false})"});
    const auto r = ssh(gateway, {"alice", "wrong", {}}, {}, {"true"});
    BOOST_TEST(r.exit_code == 255);
    BOOST_TEST(r.out.empty());
    BOOST_TEST(!gateway.wait_for("AUTH_FAILED").empty());
    BOOST_TEST(server.requests("/password").size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(public_key_login_sends_the_authorized_keys_line, WebhookGateway) {
    server.respond("/pubkey", {200, R"({"success": true})"});
    const auto key = make_key(gateway.dir(), "alice_key");
    const auto r = ssh(gateway, {"alice", "", key}, {}, {"echo", "key-ok"});
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.out == "key-ok\n");
    const auto requests = server.requests("/pubkey");
    BOOST_REQUIRE(!requests.empty());
    BOOST_TEST(field(requests[0].body, "publicKey") == public_key_line(key));
}

BOOST_AUTO_TEST_CASE(authz_veto_refuses_a_correct_password) {
    HttpTestServer server;
    Gateway gateway(webhook_config(server.url(), true, false));
    server.respond("/password", {200, R"({"success": true, "authenticatedUsername": "mallory@corp"})"});
    server.respond("/authz", {200, R"({"success": false})"});
    const auto r = ssh(gateway, {"mallory", "right", {}}, {}, {"echo", "in"});
    BOOST_TEST(r.exit_code == 255);
    BOOST_TEST(r.out.empty());
    const auto authz = server.requests("/authz");
    BOOST_REQUIRE(authz.size() == 1u);
    BOOST_TEST(field(authz[0].body, "authenticatedUsername") == "mallory@corp");
}

BOOST_AUTO_TEST_CASE(a_webhook_that_never_answers_is_an_ordinary_failure_and_the_next_login_works) {
    HttpTestServer server;
    Gateway gateway(webhook_config(server.url(), false, false, "2s"));
    server.respond("/password", ScriptedResponse{200, "", {}, 0ms, true});
    const auto down = ssh(gateway, {"alice", "pw", {}}, {}, {"true"}, "", 60s);
    BOOST_TEST(down.exit_code == 255);
    BOOST_TEST(!gateway.wait_for("AUTH_BACKEND_ERROR").empty());

    server.respond("/password", {200, R"({"success": true})"});
    const auto up = ssh(gateway, {"alice", "pw", {}}, {}, {"echo", "back"});
    BOOST_TEST(up.exit_code == 0);
    BOOST_TEST(up.out == "back\n");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(configuration_server)

BOOST_AUTO_TEST_CASE(an_answer_changes_one_users_connection_and_false_overrides_the_file) {
    ::setenv("CSH_TEST_GATEWAY_MARKER", "inherited", 1);  // the gateway inherits it
    HttpTestServer server;
    Gateway gateway(webhook_config(server.url(), false, true));
    ::unsetenv("CSH_TEST_GATEWAY_MARKER");
    server.respond("/password", {200, R"({"success": true})"});
    const std::string command = "pwd; echo marker=${CSH_TEST_GATEWAY_MARKER:-unset}; echo editor=$EDITOR";

    server.respond("/config", {200, R"({"config": {"local": {"workdir": "/tmp"}},
        "environment": {"EDITOR": {"value": "vim", "sensitive": false}}})"});
    const auto alice = ssh(gateway, {"alice", "pw", {}}, {}, {command});
    BOOST_TEST(alice.exit_code == 0);
    BOOST_TEST(alice.out == "/tmp\nmarker=inherited\neditor=vim\n");

    server.respond("/config", {200, R"({"config": {"local": {"inheritEnvironment": false}}})"});
    const auto bob = ssh(gateway, {"bob", "pw", {}}, {}, {command});
    BOOST_TEST(bob.exit_code == 0);
    BOOST_TEST(bob.out == "/\nmarker=unset\neditor=\n");

    const auto requests = server.requests("/config");
    BOOST_REQUIRE(requests.size() == 2u);
    BOOST_TEST(field(requests[0].body, "username") == "alice");
    BOOST_TEST(field(requests[1].body, "username") == "bob");
}

BOOST_AUTO_TEST_CASE(an_invalid_answer_closes_the_connection_with_a_message) {
    HttpTestServer server;
    Gateway gateway(webhook_config(server.url(), false, true));
    server.respond("/password", {200, R"({"success": true})"});
    // A core key: a backend's section is its plugin's to check (for Docker:
    // DOCKER_CONFIG_ERROR when the connection opens).
    server.respond("/config", {200, R"({"config": {"security": {"env": {"nosuchkey": 1}}}})"});
    const auto r = ssh(gateway, {"alice", "pw", {}}, {}, {"echo", "in"});
    BOOST_TEST(r.exit_code == 255);
    BOOST_TEST(r.out.empty());
    BOOST_TEST_CONTEXT("the client printed: " << r.err) {
        BOOST_TEST(r.err.find("per-user configuration is invalid") != std::string::npos);
    }
    const auto line = gateway.wait_for("BACKEND_CONFIG_ERROR");
    BOOST_TEST(line.find("security.env.nosuchkey") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_failing_configuration_server_closes_the_connection_after_login) {
    HttpTestServer server;
    Gateway gateway(webhook_config(server.url(), false, true));
    server.respond("/password", {200, R"({"success": true})"});
    server.respond("/config", {403, "forbidden"});
    const auto r = ssh(gateway, {"alice", "pw", {}}, {}, {"echo", "in"});
    BOOST_TEST(r.exit_code == 255);
    BOOST_TEST(r.out.empty());
    BOOST_TEST(!gateway.wait_for("CONFIG_INVALID_STATUS_CODE").empty());
}

BOOST_AUTO_TEST_SUITE_END()
