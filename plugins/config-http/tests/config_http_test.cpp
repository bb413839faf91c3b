// The config-http plugin loaded from its .so, driven through the C ABI with
// FakeHost, against a real HTTP server that records what it receives.
#define BOOST_TEST_MODULE config_http
#include <boost/test/unit_test.hpp>

#include <containerssh/sdk/testing/fake_connection.hpp>
#include <containerssh/sdk/testing/fake_host.hpp>
#include <containerssh/sdk/testing/plugin_instance.hpp>
#include <containerssh/sdk/testing/recorders.hpp>

#include <http_test_server.hpp>

#include <simdjson.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

using namespace csh::sdk::testing;
using csh::test::HttpTestServer;
using namespace std::chrono_literals;

namespace {

const std::string kPluginPath = std::string(CSH_PLUGIN_BUILD_DIR) + "/config-http.so";

struct Fixture {
    explicit Fixture(const std::string& configserver_json) {
        host.set_section("configserver", configserver_json);
        plugin = std::make_unique<PluginInstance>(host, library.descriptor());
        if (plugin->init_status() == CSH_OK) api = plugin->interface<csh_config_interface>(CSH_CONFIG_INTERFACE_ID);
    }
    ~Fixture() { BOOST_TEST(host.misuse().empty()); }

    ConfigAnswer fetch(FakeConnection& connection) {
        ConfigRecorder recorder;
        api->connection_config(plugin->get(), &connection.info(), recorder.completion());
        BOOST_TEST_REQUIRE(host.run_until([&] { return recorder.calls() > 0; }, 30s));
        host.run_until_idle();
        BOOST_TEST_REQUIRE(recorder.calls() == 1u);
        return recorder.answer();
    }

    // The attempt-duration histogram (no labels).
    std::optional<HistogramSample> durations() const {
        return host.histogram("containerssh_config_server_request_duration_seconds");
    }

    FakeHost host;
    SharedObject library{kPluginPath};
    std::unique_ptr<PluginInstance> plugin;
    const csh_config_interface* api = nullptr;
};

struct ServerFixture {
    HttpTestServer server;
    Fixture plugin{R"({"url": ")" + server.url() + R"(/config", "timeout": "1s"})"};
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(the_request_goes_to_the_url_as_configured_with_the_authenticated_user, ServerFixture) {
    server.respond("/config", {200, R"({"config": {}})"});
    FakeConnection connection(plugin.host, "alice");
    connection.authenticated_username = "alice@corp";
    connection.metadata.add(CSH_METADATA_ENVIRONMENT, "TEAM", "ops")
        .add(CSH_METADATA_GENERIC, "token", "s3cr3t", true);
    BOOST_TEST(plugin.fetch(connection).status == CSH_OK);

    const auto requests = server.requests("/config");
    BOOST_REQUIRE(requests.size() == 1u);
    BOOST_TEST(requests[0].method == "POST");
    BOOST_TEST(requests[0].body.find("s3cr3t") == std::string::npos);
    simdjson::dom::parser parser;
    simdjson::dom::element body;
    BOOST_REQUIRE(parser.parse(requests[0].body).get(body) == simdjson::SUCCESS);
    std::string_view user, authenticated, team;
    BOOST_TEST(body["username"].get_string().get(user) == simdjson::SUCCESS);
    BOOST_TEST(body["authenticatedUsername"].get_string().get(authenticated) == simdjson::SUCCESS);
    BOOST_TEST(body["environment"]["TEAM"]["value"].get_string().get(team) == simdjson::SUCCESS);
    BOOST_TEST(user == "alice");
    BOOST_TEST(authenticated == "alice@corp");
    BOOST_TEST(team == "ops");
}

BOOST_FIXTURE_TEST_CASE(the_config_object_is_passed_on_with_explicit_zero_values, ServerFixture) {
    server.respond("/config", {200, R"({"config": {"docker": {"execution": {"container": {"image": "ubuntu:24.04"},
        "disableAgent": false}}, "security": {"maxSessions": 0}, "log": {"level": ""}},
        "environment": {"EDITOR": {"value": "vim", "sensitive": false}}, "authenticatedUsername": "al"})"});
    FakeConnection connection(plugin.host, "alice");
    const auto answer = plugin.fetch(connection);
    BOOST_TEST(answer.status == CSH_OK);
    BOOST_TEST(answer.config_json ==
               R"({"docker":{"execution":{"container":{"image":"ubuntu:24.04"},"disableAgent":false}},)"
               R"("security":{"maxSessions":0},"log":{"level":""}})");
    BOOST_TEST(answer.authenticated_username == "al");
    BOOST_REQUIRE(answer.metadata.size() == 1u);
    BOOST_TEST(answer.metadata[0].key == "EDITOR");
    BOOST_TEST(answer.metadata[0].value == "vim");
    BOOST_TEST(plugin.host.lines_with_code("CONFIG_RESPONSE").size() == 1u);
    BOOST_TEST(plugin.host.lines_with_code("CONFIG_SERVER_AVAILABLE").empty());  // it never was away
    BOOST_TEST(plugin.host.metric_value("containerssh_config_server_requests_total", {{"retry", "0"}}).value_or(0) == 1.0);
    const auto series = plugin.durations();
    BOOST_TEST_REQUIRE(series.has_value());
    BOOST_TEST(series->count == 1u);
    BOOST_TEST(series->sum > 0.0);
}

BOOST_FIXTURE_TEST_CASE(an_answer_without_config_overrides_nothing, ServerFixture) {
    server.respond("/config", {200, R"({"metadata": {}})"});
    FakeConnection connection(plugin.host, "alice");
    const auto answer = plugin.fetch(connection);
    BOOST_TEST(answer.status == CSH_OK);
    BOOST_TEST(answer.config_json == "{}");
}

BOOST_FIXTURE_TEST_CASE(a_400_closes_the_connection_without_retry, ServerFixture) {
    server.respond("/config", {400, "bad"});
    FakeConnection connection(plugin.host, "alice");
    BOOST_TEST(plugin.fetch(connection).status == CSH_FAILED);
    BOOST_TEST(server.requests("/config").size() == 1u);
    BOOST_TEST(plugin.host.lines_with_code("CONFIG_INVALID_STATUS_CODE").size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(a_503_then_200_succeeds_after_the_retry, ServerFixture) {
    server.respond_sequence("/config", {{503, ""}, {200, R"({"config": {}})"}});
    FakeConnection connection(plugin.host, "alice");
    BOOST_TEST(plugin.fetch(connection).status == CSH_OK);
    // The 200 after the 503 says the server is back, once, naming its URL.
    const auto back = plugin.host.lines_with_code("CONFIG_SERVER_AVAILABLE");
    BOOST_TEST_REQUIRE(back.size() == 1u);
    BOOST_TEST(back[0].field("url") == server.url() + "/config");
    BOOST_TEST(plugin.host.metric_value("containerssh_config_server_failures_total",
                                        {{"type", "soft"}, {"retry", "0"}, {"reason", "CONFIG_BACKEND_ERROR"}}).value_or(0) == 1.0);
    BOOST_TEST(plugin.host.metric_value("containerssh_config_server_requests_total", {{"retry", "1"}}).value_or(0) == 1.0);
    // Both attempts timed, each once, each in one bucket.
    const auto series = plugin.durations();
    BOOST_TEST_REQUIRE(series.has_value());
    BOOST_TEST(series->count == 2u);
    BOOST_TEST(series->sum > 0.0);
    uint64_t in_buckets = 0;
    for (uint64_t n : series->buckets) in_buckets += n;
    BOOST_TEST(in_buckets == 2u);
    // A later good answer is no news.
    FakeConnection again(plugin.host, "bob");
    BOOST_TEST(plugin.fetch(again).status == CSH_OK);
    BOOST_TEST(plugin.host.lines_with_code("CONFIG_SERVER_AVAILABLE").size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(a_config_that_is_not_an_object_is_a_decode_failure, ServerFixture) {
    server.respond("/config", {200, R"({"config": "docker"})"});
    FakeConnection connection(plugin.host, "alice");
    BOOST_TEST(plugin.fetch(connection).status == CSH_UNAVAILABLE);
    BOOST_TEST(plugin.host.lines_with_code("HTTP_CLIENT_DECODE_FAILED").size() == 1u);
}

BOOST_AUTO_TEST_CASE(init_fails_without_a_url) {
    Fixture plugin(R"({"url": ""})");
    BOOST_TEST(plugin.plugin->init_status() == CSH_FAILED);
    BOOST_TEST(plugin.host.lines_with_code("CONFIG_HTTP_CONFIG_INVALID").size() == 1u);
}
