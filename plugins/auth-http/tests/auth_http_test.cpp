// The auth-http plugin loaded from its .so, driven through the C ABI with
// FakeHost, against a real HTTP server that records what it receives.
#define BOOST_TEST_MODULE auth_http
#include <boost/test/unit_test.hpp>

#include <containerssh/sdk/testing/fake_connection.hpp>
#include <containerssh/sdk/testing/fake_host.hpp>
#include <containerssh/sdk/testing/plugin_instance.hpp>
#include <containerssh/sdk/testing/recorders.hpp>

#include <http_test_server.hpp>
#include <temp_dir.hpp>
#include <test_pki.hpp>

#include <simdjson.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

using namespace csh::sdk::testing;
using csh::test::HttpTestServer;
using csh::test::ScriptedResponse;
using namespace std::chrono_literals;

namespace {

const std::string kPluginPath = std::string(CSH_PLUGIN_BUILD_DIR) + "/auth-http.so";

// An `auth` section with all three methods on `url`; `extra` is added to each
// webhook block.
std::string auth_section(const std::string& url, const std::string& extra = "") {
    const std::string block = R"({"method": "webhook", "webhook": {"url": ")" + url + R"(", "timeout": "1s", )"
                              R"("authTimeout": "3s")" + extra + "}}";
    return R"({"password": )" + block + R"(, "publicKey": )" + block + R"(, "authz": )" + block + "}";
}

// simdjson view of one recorded request body.
struct Body {
    explicit Body(const std::string& text) : json(text) { BOOST_REQUIRE(parser.parse(json).get(root) == 0); }
    std::string text(const char* key) {
        std::string_view v;
        return root[key].get_string().get(v) == simdjson::SUCCESS ? std::string(v) : std::string("<absent>");
    }
    bool has(const char* key) {
        simdjson::dom::element e;
        return root[key].get(e) == simdjson::SUCCESS;
    }
    simdjson::padded_string json;
    simdjson::dom::parser parser;
    simdjson::dom::element root;
};

struct Fixture {
    explicit Fixture(const std::string& auth_json, const std::string& configserver_json = "null") {
        host.set_section("auth", auth_json);
        host.set_section("configserver", configserver_json);
        plugin = std::make_unique<PluginInstance>(host, library.descriptor());
        if (plugin->init_status() == CSH_OK) auth = plugin->interface<csh_auth_interface>(CSH_AUTH_INTERFACE_ID);
    }
    ~Fixture() { BOOST_TEST(host.misuse().empty()); }

    AuthAnswer wait(AuthRecorder& recorder) {
        BOOST_TEST_REQUIRE(host.run_until([&] { return recorder.calls() > 0; }, 30s));
        host.run_until_idle();
        BOOST_TEST_REQUIRE(recorder.calls() == 1u);
        return recorder.answer();
    }
    AuthAnswer password(FakeConnection& connection, const std::string& password) {
        AuthRecorder recorder;
        auth->password(plugin->get(), &connection.info(),
                       csh_bytes{reinterpret_cast<const uint8_t*>(password.data()), password.size()},
                       recorder.completion());
        return wait(recorder);
    }
    AuthAnswer public_key(FakeConnection& connection, const std::string& key) {
        AuthRecorder recorder;
        auth->public_key(plugin->get(), &connection.info(), csh_str{key.data(), key.size()}, recorder.completion());
        return wait(recorder);
    }
    AuthAnswer authorize(FakeConnection& connection) {
        AuthRecorder recorder;
        auth->authorize(plugin->get(), &connection.info(), recorder.completion());
        return wait(recorder);
    }
    double metric(const char* name, const Labels& labels) { return host.metric_value(name, labels).value_or(0); }
    // The attempt-duration series of one authtype.
    std::optional<HistogramSample> durations(const char* authtype) {
        return host.histogram("containerssh_auth_server_request_duration_seconds", {{"authtype", authtype}});
    }
    // Attempts counted by containerssh_auth_server_requests_total for one authtype.
    double attempts(const char* authtype) {
        return metric("containerssh_auth_server_requests_total", {{"authtype", authtype}, {"retry", "0"}}) +
               metric("containerssh_auth_server_requests_total", {{"authtype", authtype}, {"retry", "1"}});
    }

    FakeHost host;
    SharedObject library{kPluginPath};
    std::unique_ptr<PluginInstance> plugin;
    const csh_auth_interface* auth = nullptr;
};

struct ServerFixture {
    HttpTestServer server;
    Fixture plugin{auth_section(server.url())};
};

}  // namespace

BOOST_AUTO_TEST_SUITE(requests)

BOOST_FIXTURE_TEST_CASE(password_request_has_containerssh_fields_and_raw_password_bytes, ServerFixture) {
    server.respond("/password", {200, R"({"success": true})"});
    FakeConnection connection(plugin.host, "alice");
    const std::string password("p\xC3\xA4ss \xFF\x00x", 9);  // UTF-8, a stray 0xFF and a NUL
    const auto answer = plugin.password(connection, password);
    BOOST_TEST(answer.outcome == CSH_AUTH_SUCCESS);

    const auto requests = server.requests("/password");
    BOOST_REQUIRE(requests.size() == 1u);
    BOOST_TEST(requests[0].method == "POST");
    BOOST_TEST(requests[0].headers.at("content-type") == "application/json");
    BOOST_TEST(requests[0].headers.at("accept") == "application/json");
    Body body(requests[0].body);
    BOOST_TEST(body.text("username") == "alice");
    BOOST_TEST(body.text("remoteAddress") == "127.0.0.1:40022");
    BOOST_TEST(body.text("connectionId") == "0123456789abcdef0123456789abcdef");
    BOOST_TEST(body.text("clientVersion") == "SSH-2.0-OpenSSH_9.2p1");
    BOOST_TEST(body.text("passwordBase64") == "cMOkc3Mg/wB4");  // base64 of the 9 bytes above
    BOOST_TEST(!body.has("authenticatedUsername"));
    BOOST_TEST(!body.has("metadata"));
    BOOST_TEST(!body.has("environment"));
    BOOST_TEST(!body.has("files"));
}

BOOST_FIXTURE_TEST_CASE(public_key_request_carries_the_authorized_keys_line, ServerFixture) {
    server.respond("/pubkey", {200, R"({"success": true, "authenticatedUsername": "alice@corp"})"});
    FakeConnection connection(plugin.host, "alice");
    const std::string key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGk1c2VjcmV0a2V5Zm9ydGVzdHMxMjM0NTY3ODkwYWJj";
    const auto answer = plugin.public_key(connection, key);
    BOOST_TEST(answer.outcome == CSH_AUTH_SUCCESS);
    BOOST_TEST(answer.authenticated_username == "alice@corp");
    const auto requests = server.requests("/pubkey");
    BOOST_REQUIRE(requests.size() == 1u);
    Body body(requests[0].body);
    BOOST_TEST(body.text("publicKey") == key);
    BOOST_TEST(!body.has("passwordBase64"));
}

BOOST_FIXTURE_TEST_CASE(authz_request_carries_authenticated_user_and_metadata_without_sensitive_items,
                        ServerFixture) {
    server.respond("/authz", {200, R"({"success": true})"});
    FakeConnection connection(plugin.host, "alice");
    connection.authenticated_username = "alice@corp";
    connection.metadata.add(CSH_METADATA_GENERIC, "team", "ops")
        .add(CSH_METADATA_ENVIRONMENT, "GIT_TOKEN", "s3cr3t", true)
        .add(CSH_METADATA_ENVIRONMENT, "LANG", "C.UTF-8")
        .add(CSH_METADATA_FILE, "/home/alice/.netrc", std::string("machine\0x", 9), false);
    BOOST_TEST(plugin.authorize(connection).outcome == CSH_AUTH_SUCCESS);

    const auto requests = server.requests("/authz");
    BOOST_REQUIRE(requests.size() == 1u);
    BOOST_TEST(requests[0].body.find("s3cr3t") == std::string::npos);
    BOOST_TEST(requests[0].body.find("GIT_TOKEN") == std::string::npos);
    Body body(requests[0].body);
    BOOST_TEST(body.text("authenticatedUsername") == "alice@corp");
    std::string_view team, lang, netrc;
    bool sensitive = true;
    BOOST_TEST(body.root["metadata"]["team"]["value"].get_string().get(team) == simdjson::SUCCESS);
    BOOST_TEST(body.root["metadata"]["team"]["sensitive"].get_bool().get(sensitive) == simdjson::SUCCESS);
    BOOST_TEST(body.root["environment"]["LANG"]["value"].get_string().get(lang) == simdjson::SUCCESS);
    BOOST_TEST(body.root["files"]["/home/alice/.netrc"]["value"].get_string().get(netrc) == simdjson::SUCCESS);
    BOOST_TEST(team == "ops");
    BOOST_TEST(!sensitive);
    BOOST_TEST(lang == "C.UTF-8");
    BOOST_TEST(netrc == "bWFjaGluZQB4");  // base64 of the file's bytes
}

BOOST_AUTO_TEST_CASE(sensitive_items_are_sent_when_the_operator_allows_it) {
    HttpTestServer server;
    Fixture plugin(auth_section(server.url()), R"({"url": "", "transmitSensitiveMetadata": true})");
    server.respond("/authz", {200, R"({"success": true})"});
    FakeConnection connection(plugin.host, "alice");
    connection.metadata.add(CSH_METADATA_ENVIRONMENT, "GIT_TOKEN", "s3cr3t", true);
    BOOST_TEST(plugin.authorize(connection).outcome == CSH_AUTH_SUCCESS);
    Body body(server.requests("/authz").at(0).body);
    bool sensitive = false;
    BOOST_TEST(body.root["environment"]["GIT_TOKEN"]["sensitive"].get_bool().get(sensitive) == simdjson::SUCCESS);
    BOOST_TEST(sensitive);
}

BOOST_FIXTURE_TEST_CASE(a_user_name_that_is_not_utf8_is_refused_without_a_request, ServerFixture) {
    FakeConnection connection(plugin.host, "bad\xFFname");
    const auto answer = plugin.password(connection, "x");
    BOOST_TEST(answer.outcome == CSH_AUTH_FAILURE);
    BOOST_TEST(server.requests().empty());
    BOOST_TEST(plugin.host.lines_with_code("HTTP_CLIENT_ENCODE_FAILED").size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(responses)

BOOST_FIXTURE_TEST_CASE(metadata_environment_and_files_of_the_answer_reach_the_host, ServerFixture) {
    server.respond("/password", {200, R"({"success": true, "authenticatedUsername": "alice",
        "metadata": {"team": {"value": "ops", "sensitive": false}},
        "environment": {"GIT_TOKEN": {"value": "t0k", "sensitive": true}},
        "files": {"/etc/motd": {"value": "V2VsY29tZQo=", "sensitive": false}},
        "username": "alice", "connectionId": "echoed"})"});
    FakeConnection connection(plugin.host, "alice");
    const auto answer = plugin.password(connection, "pw");
    BOOST_TEST(answer.outcome == CSH_AUTH_SUCCESS);
    BOOST_TEST(answer.authenticated_username == "alice");
    BOOST_REQUIRE(answer.metadata.size() == 3u);
    BOOST_TEST(answer.metadata[0].kind == CSH_METADATA_GENERIC);
    BOOST_TEST(answer.metadata[0].key == "team");
    BOOST_TEST(answer.metadata[0].value == "ops");
    BOOST_TEST(answer.metadata[1].kind == CSH_METADATA_ENVIRONMENT);
    BOOST_TEST(answer.metadata[1].sensitive);
    BOOST_TEST(answer.metadata[2].kind == CSH_METADATA_FILE);
    BOOST_TEST(answer.metadata[2].value == "Welcome\n");  // decoded
    BOOST_TEST(plugin.host.lines_with_code("AUTH_SUCCESSFUL").size() == 1u);
    // No secret in any log line.
    for (const auto& line : plugin.host.log_lines()) {
        BOOST_TEST(line.message.find("t0k") == std::string::npos);
        for (const auto& [k, v] : line.fields) BOOST_TEST(v.find("t0k") == std::string::npos);
    }
}

BOOST_FIXTURE_TEST_CASE(success_false_is_a_failure_and_counted, ServerFixture) {
    server.respond("/password", {200, R"({"success": false})"});
    FakeConnection connection(plugin.host, "alice");
    BOOST_TEST(plugin.password(connection, "wrong").outcome == CSH_AUTH_FAILURE);
    BOOST_TEST(plugin.host.lines_with_code("AUTH_FAILED").size() == 1u);
    BOOST_TEST(plugin.metric("containerssh_auth_failures_total",
                             {{"country", "XX"}, {"authtype", "password"}, {"retry", "0"}}) == 1.0);
    BOOST_TEST(plugin.metric("containerssh_auth_server_requests_total", {{"authtype", "password"}, {"retry", "0"}}) ==
               1.0);
}

BOOST_FIXTURE_TEST_CASE(authz_veto_turns_into_a_failure, ServerFixture) {
    server.respond("/authz", {200, R"({"success": false})"});
    FakeConnection connection(plugin.host, "mallory");
    connection.authenticated_username = "mallory";
    BOOST_TEST(plugin.authorize(connection).outcome == CSH_AUTH_FAILURE);
    BOOST_TEST(plugin.metric("containerssh_auth_failures_total",
                             {{"country", "XX"}, {"authtype", "authorization"}, {"retry", "0"}}) == 1.0);
}

BOOST_FIXTURE_TEST_CASE(unknown_fields_are_accepted_and_named_in_a_debug_line, ServerFixture) {
    server.respond("/password", {200, R"({"success": true, "message": "hi", "expires": 3})"});
    FakeConnection connection(plugin.host, "alice");
    BOOST_TEST(plugin.password(connection, "pw").outcome == CSH_AUTH_SUCCESS);
    const auto lines = plugin.host.lines_with_code("AUTH_WEBHOOK_UNKNOWN_FIELDS");
    BOOST_REQUIRE(lines.size() == 1u);
    BOOST_TEST(lines[0].field("fields") == "message, expires");
}

BOOST_FIXTURE_TEST_CASE(a_500_then_200_logs_in_after_the_retry, ServerFixture) {
    server.respond_sequence("/password", {{500, "oops"}, {200, R"({"success": true})"}});
    FakeConnection connection(plugin.host, "alice");
    BOOST_TEST(plugin.password(connection, "pw").outcome == CSH_AUTH_SUCCESS);
    BOOST_TEST(server.requests("/password").size() == 2u);
    BOOST_TEST(plugin.metric("containerssh_auth_server_requests_total", {{"authtype", "password"}, {"retry", "1"}}) ==
               1.0);
    BOOST_TEST(plugin.metric("containerssh_auth_server_failures_total",
                             {{"type", "soft"}, {"authtype", "password"}, {"retry", "0"},
                              {"reason", "AUTH_BACKEND_ERROR"}}) == 1.0);
    BOOST_TEST(plugin.metric("containerssh_auth_success_total",
                             {{"country", "XX"}, {"authtype", "password"}, {"retry", "1"}}) == 1.0);
}

BOOST_FIXTURE_TEST_CASE(each_attempt_is_timed_once_without_the_wait_between_them, ServerFixture) {
    ScriptedResponse slow_failure{500, "oops"};
    slow_failure.delay = 60ms;
    server.respond_sequence("/password", {slow_failure, {200, R"({"success": true})"}});
    FakeConnection connection(plugin.host, "alice");
    BOOST_TEST(plugin.password(connection, "pw").outcome == CSH_AUTH_SUCCESS);

    const auto series = plugin.durations("password");
    BOOST_TEST_REQUIRE(series.has_value());
    BOOST_TEST(series->count == 2u);  // one per attempt, as requests_total counts them
    BOOST_TEST(plugin.attempts("password") == 2.0);
    BOOST_TEST(series->sum >= 0.06);  // the server held the first answer back 60 ms
    BOOST_TEST_REQUIRE(series->buckets.size() == series->bounds.size() + 1);
    uint64_t total = 0, up_to_50ms = 0;
    for (size_t i = 0; i < series->buckets.size(); ++i) {
        total += series->buckets[i];
        if (i < series->bounds.size() && series->bounds[i] <= 0.05) up_to_50ms += series->buckets[i];
    }
    BOOST_TEST(total == 2u);
    BOOST_TEST(up_to_50ms <= 1u);  // the slow attempt is above 50 ms
    BOOST_TEST(series->bounds.front() == 0.005);
    BOOST_TEST(series->bounds.back() == 10.0);
    BOOST_TEST(!plugin.durations("pubkey").has_value());
    BOOST_TEST(!plugin.durations("authorization").has_value());
}

BOOST_FIXTURE_TEST_CASE(a_404_is_not_retried_and_is_unavailable, ServerFixture) {
    server.respond("/password", {404, "{}"});
    FakeConnection connection(plugin.host, "alice");
    BOOST_TEST(plugin.password(connection, "pw").outcome == CSH_AUTH_UNAVAILABLE);
    BOOST_TEST(server.requests("/password").size() == 1u);
    const auto lines = plugin.host.lines_with_code("AUTH_INVALID_STATUS");
    BOOST_REQUIRE(lines.size() == 1u);
    BOOST_TEST(lines[0].field("status") == "404");
}

BOOST_FIXTURE_TEST_CASE(a_garbage_body_is_a_decode_failure, ServerFixture) {
    server.respond("/password", {200, "<html>not json"});
    FakeConnection connection(plugin.host, "alice");
    BOOST_TEST(plugin.password(connection, "pw").outcome == CSH_AUTH_UNAVAILABLE);
    BOOST_TEST(plugin.host.lines_with_code("HTTP_CLIENT_DECODE_FAILED").size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(a_wrongly_typed_success_is_a_decode_failure, ServerFixture) {
    server.respond("/password", {200, R"({"success": "yes"})"});
    FakeConnection connection(plugin.host, "alice");
    BOOST_TEST(plugin.password(connection, "pw").outcome == CSH_AUTH_UNAVAILABLE);
    BOOST_TEST(plugin.host.lines_with_code("HTTP_CLIENT_DECODE_FAILED").size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(a_5_mib_body_is_refused, ServerFixture) {
    server.respond("/password", {200, R"({"success": true, "pad": ")" + std::string(5 << 20, 'a') + "\"}"});
    FakeConnection connection(plugin.host, "alice");
    BOOST_TEST(plugin.password(connection, "pw").outcome == CSH_AUTH_UNAVAILABLE);
}

BOOST_FIXTURE_TEST_CASE(a_server_that_never_answers_is_given_up_within_auth_timeout, ServerFixture) {
    server.respond("/password", ScriptedResponse{200, "", {}, 0ms, true});
    FakeConnection connection(plugin.host, "alice");
    const auto start = std::chrono::steady_clock::now();
    BOOST_TEST(plugin.password(connection, "pw").outcome == CSH_AUTH_UNAVAILABLE);
    // authTimeout is 3s; generous slack for a loaded machine.
    BOOST_TEST((std::chrono::steady_clock::now() - start < 10s));
    BOOST_TEST(server.requests("/password").size() >= 2u);
    BOOST_TEST(plugin.host.lines_with_code("AUTH_BACKEND_ERROR").size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_refused_connection_is_unavailable) {
    std::string url;
    {
        HttpTestServer gone;  // a port that was just free and is closed again
        url = gone.url();
    }
    Fixture plugin(auth_section(url));
    FakeConnection connection(plugin.host, "alice");
    BOOST_TEST(plugin.password(connection, "pw").outcome == CSH_AUTH_UNAVAILABLE);
    BOOST_TEST(!plugin.host.lines_with_code("HTTP_CLIENT_CONNECTION_FAILED").empty());
    // Attempts without an answer are timed too, each once.
    const auto series = plugin.durations("password");
    BOOST_TEST_REQUIRE(series.has_value());
    BOOST_TEST(series->count >= 1u);
    BOOST_TEST(static_cast<double>(series->count) == plugin.attempts("password"));
    BOOST_TEST(series->sum > 0.0);
}

BOOST_FIXTURE_TEST_CASE(closing_the_connection_cancels_a_pending_request, ServerFixture) {
    server.respond("/password", ScriptedResponse{200, "", {}, 0ms, true});
    FakeConnection connection(plugin.host, "alice");
    AuthRecorder recorder;
    const std::string password = "pw";
    plugin.auth->password(plugin.plugin->get(), &connection.info(),
                          csh_bytes{reinterpret_cast<const uint8_t*>(password.data()), password.size()},
                          recorder.completion());
    BOOST_TEST_REQUIRE(plugin.host.run_until([&] { return server.requests("/password").size() == 1u; }, 10s));
    plugin.auth->connection_closed(plugin.plugin->get(), &connection.info());
    BOOST_TEST_REQUIRE(plugin.host.run_until([&] { return recorder.calls() > 0; }, 2s));
    BOOST_TEST(recorder.answer().outcome == CSH_AUTH_UNAVAILABLE);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(redirects_and_tls)

BOOST_FIXTURE_TEST_CASE(a_redirect_is_refused_by_default, ServerFixture) {
    server.respond("/password", {307, "", {{"Location", server.url() + "/elsewhere"}}});
    server.respond("/elsewhere", {200, R"({"success": true})"});
    FakeConnection connection(plugin.host, "alice");
    BOOST_TEST(plugin.password(connection, "pw").outcome == CSH_AUTH_UNAVAILABLE);
    BOOST_TEST(server.requests("/elsewhere").empty());
    BOOST_TEST(plugin.host.lines_with_code("HTTP_CLIENT_REDIRECTS_DISABLED").size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_redirect_is_followed_when_allowed) {
    HttpTestServer server;
    Fixture plugin(auth_section(server.url(), R"(, "allowRedirects": true)"));
    server.respond("/password", {307, "", {{"Location", server.url() + "/elsewhere"}}});
    server.respond("/elsewhere", {200, R"({"success": true})"});
    FakeConnection connection(plugin.host, "alice");
    BOOST_TEST(plugin.password(connection, "pw").outcome == CSH_AUTH_SUCCESS);
    const auto followed = server.requests("/elsewhere");
    BOOST_REQUIRE(followed.size() == 1u);
    BOOST_TEST(Body(followed[0].body).text("passwordBase64") == "cHc=");
}

struct Pki {
    csh::test::TempDir dir;
    csh::test::TestPki pki = csh::test::make_test_pki(dir.path().string());
};

BOOST_FIXTURE_TEST_CASE(https_with_the_operators_ca_and_a_client_certificate, Pki) {
    HttpTestServer server(csh::test::TlsFiles{pki.server_cert, pki.server_key, pki.ca_cert});
    server.respond("/password", {200, R"({"success": true})"});
    Fixture plugin(auth_section(server.url(), R"(, "cacert": ")" + pki.ca_cert + R"(", "cert": ")" +
                                                  pki.client_cert + R"(", "key": ")" + pki.client_key + "\""));
    FakeConnection connection(plugin.host, "alice");
    BOOST_TEST(plugin.password(connection, "pw").outcome == CSH_AUTH_SUCCESS);
    const auto requests = server.requests("/password");
    BOOST_REQUIRE(requests.size() == 1u);
    BOOST_TEST(requests[0].client_certificate_subject.find("CN=") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(https_with_a_wrong_ca_is_refused, Pki) {
    HttpTestServer server(csh::test::TlsFiles{pki.server_cert, pki.server_key, ""});
    server.respond("/password", {200, R"({"success": true})"});
    Fixture plugin(auth_section(server.url(), R"(, "cacert": ")" + pki.other_ca_cert + "\""));
    FakeConnection connection(plugin.host, "alice");
    BOOST_TEST(plugin.password(connection, "pw").outcome == CSH_AUTH_UNAVAILABLE);
    BOOST_TEST(server.requests("/password").empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(configuration)

BOOST_AUTO_TEST_CASE(a_webhook_method_without_url_fails_init_naming_the_key) {
    Fixture plugin(R"({"password": {"method": "webhook", "webhook": {"url": ""}}})");
    BOOST_TEST(plugin.plugin->init_status() == CSH_FAILED);
    const auto lines = plugin.host.lines_with_code("AUTH_WEBHOOK_CONFIG_INVALID");
    BOOST_REQUIRE(lines.size() == 1u);
    BOOST_TEST(lines[0].message.find("auth.password.webhook.url") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(only_the_webhook_methods_are_served) {
    HttpTestServer server;
    Fixture plugin(R"({"password": {"method": "webhook", "webhook": {"url": ")" + server.url() +
                   R"("}}, "publicKey": {"method": ""}, "authz": {"method": ""}})");
    BOOST_REQUIRE(plugin.auth != nullptr);
    BOOST_TEST(plugin.auth->methods == CSH_AUTH_METHOD_PASSWORD);
}

BOOST_AUTO_TEST_SUITE_END()
