// Cancelling requests and destroying the client with requests in flight:
// every `done` runs exactly once, and nothing is left on the loop.
#include "client_test_support.hpp"

#include "http_test_server.hpp"

#include <memory>

using namespace webhook_test;
using csh::test::HttpTestServer;
using csh::test::ScriptedResponse;

namespace {

struct ServerFixture : HostFixture {
    ServerFixture() { server.respond("/hang", ScriptedResponse{200, "{}", {}, 0ms, true}); }
    HttpTestServer server;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(http_client_lifecycle, ServerFixture)

BOOST_AUTO_TEST_CASE(cancel_ends_a_request_in_flight_once) {
    HttpClient client(host, quick_settings(10s));
    Outcome outcome;
    const auto id = start(client, server.url() + "/hang", "{}", outcome, 30s);
    BOOST_REQUIRE(fake.run_until([&] { return server.requests("/hang").size() == 1u; }));

    client.cancel(id);
    BOOST_REQUIRE(fake.run_until([&] { return outcome.finished(); }));
    fake.run_for(100ms);
    client.cancel(id);  // ended already: no effect
    fake.run_until_idle();

    BOOST_REQUIRE(outcome.results.size() == 1u);
    BOOST_TEST(outcome.result().cancelled);
    BOOST_TEST(outcome.result().status == 0);
    BOOST_TEST(outcome.result().attempts == 1u);
    BOOST_TEST(outcome.attempts.empty());  // the attempt never finished
    BOOST_TEST(fake.watches().empty());    // the half-done connection was closed
    BOOST_TEST(fake.misuse().empty());
}

BOOST_AUTO_TEST_CASE(cancel_before_the_strand_started_the_request_sends_nothing) {
    HttpClient client(host, quick_settings());
    Outcome outcome;
    client.cancel(start(client, server.url() + "/hang", "{}", outcome));
    BOOST_REQUIRE(fake.run_until([&] { return outcome.finished(); }));
    fake.run_for(100ms);

    BOOST_REQUIRE(outcome.results.size() == 1u);
    BOOST_TEST(outcome.result().cancelled);
    BOOST_TEST(outcome.result().attempts == 0u);
    BOOST_TEST(server.requests().empty());
}

BOOST_AUTO_TEST_CASE(cancel_during_the_backoff_stops_the_retries) {
    server.respond("/busy", ScriptedResponse{500, "busy"});
    HttpClient client(host, quick_settings());
    Outcome outcome;
    const auto id = start(client, server.url() + "/busy", "{}", outcome, 30s);
    BOOST_REQUIRE(fake.run_until([&] { return outcome.attempts.size() == 1u; }));
    BOOST_TEST(outcome.attempts[0].will_retry);

    client.cancel(id);
    BOOST_REQUIRE(fake.run_until([&] { return outcome.finished(); }));
    fake.run_for(500ms);  // longer than the first backoff

    BOOST_TEST(outcome.results.size() == 1u);
    BOOST_TEST(outcome.result().cancelled);
    BOOST_TEST(server.requests("/busy").size() == 1u);
    BOOST_TEST(fake.pending_timers() == 0u);
    BOOST_TEST(fake.misuse().empty());
}

BOOST_AUTO_TEST_CASE(destroying_the_client_cancels_every_pending_request_once) {
    server.respond("/busy", ScriptedResponse{500, "busy"});
    auto client = std::make_unique<HttpClient>(host, quick_settings(10s));
    std::vector<Outcome> outcomes(4);
    for (size_t i = 0; i < 3; ++i) start(*client, server.url() + "/hang", "{}", outcomes[i], 30s);
    start(*client, server.url() + "/busy", "{}", outcomes[3], 30s);  // will be waiting to retry
    BOOST_REQUIRE(fake.run_until([&] { return server.requests("/hang").size() == 3u && !outcomes[3].attempts.empty(); }));

    Outcome not_started;  // posted, but the strand never picked it up
    start(*client, server.url() + "/hang", "{}", not_started, 30s);
    client.reset();

    for (const auto& outcome : outcomes) {
        BOOST_REQUIRE(outcome.results.size() == 1u);
        BOOST_TEST(outcome.result().cancelled);
    }
    BOOST_REQUIRE(not_started.results.size() == 1u);
    BOOST_TEST(not_started.result().cancelled);
    BOOST_TEST(not_started.result().attempts == 0u);
    BOOST_TEST(fake.watches().empty());
    BOOST_TEST(fake.pending_timers() == 0u);

    fake.run_for(200ms);  // the queued kick finds the client gone
    for (const auto& outcome : outcomes) BOOST_TEST(outcome.results.size() == 1u);
    BOOST_TEST(not_started.results.size() == 1u);
    BOOST_TEST(fake.misuse().empty());
}

BOOST_AUTO_TEST_CASE(a_done_callback_may_start_the_next_request) {
    server.respond("/ok", ScriptedResponse{200, "{}"});
    HttpClient client(host, quick_settings());
    Outcome second;
    Outcome first;
    PostRequest request;
    request.url = server.url() + "/ok";
    request.json_body = "{\"first\":true}";
    client.post_json(std::move(request), [&](HttpResult result) {
        first.results.push_back(std::move(result));
        start(client, server.url() + "/ok", "{\"second\":true}", second);
    });
    BOOST_REQUIRE(fake.run_until([&] { return second.finished(); }));
    BOOST_TEST(first.result().status == 200);
    BOOST_TEST(second.result().status == 200);
    BOOST_TEST(server.requests("/ok").size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_done_callback_may_destroy_the_client) {
    server.respond("/ok", ScriptedResponse{200, "{}"});
    auto client = std::make_unique<HttpClient>(host, quick_settings());
    Outcome other;
    start(*client, server.url() + "/hang", "{}", other, 30s);
    int calls = 0;
    PostRequest request;
    request.url = server.url() + "/ok";
    request.json_body = "{}";
    client->post_json(std::move(request), [&](HttpResult result) {
        ++calls;
        BOOST_TEST(result.status == 200);
        client.reset();
    });
    BOOST_REQUIRE(fake.run_until([&] { return calls == 1 && other.finished(); }));
    fake.run_for(100ms);
    BOOST_TEST(calls == 1);
    BOOST_TEST(other.results.size() == 1u);
    BOOST_TEST(other.result().cancelled);
    BOOST_TEST(fake.watches().empty());
    BOOST_TEST(fake.misuse().empty());
}

BOOST_AUTO_TEST_SUITE_END()
