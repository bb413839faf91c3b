// The webhook client against the scripted plain-HTTP server: what is sent,
// what comes back, retries, limits and redirects.
#include "client_test_support.hpp"

#include "http_test_server.hpp"

#include <containerssh/sdk/testing/fake_connection.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>

using namespace webhook_test;
using csh::test::HttpTestServer;
using csh::test::ScriptedResponse;
namespace codes = csh::webhook::codes;

namespace {

const std::string kPasswordBody =
    R"({"username":"alice","remoteAddress":"203.0.113.9:51022","passwordBase64":"czNjcjN0"})";

struct ServerFixture : HostFixture {
    HttpTestServer server;
};

// A port on 127.0.0.1 where nothing listens (bound, then released).
std::uint16_t closed_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    BOOST_REQUIRE(fd >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    BOOST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    socklen_t length = sizeof address;
    BOOST_REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    ::close(fd);
    return ntohs(address.sin_port);
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(http_client, ServerFixture)

BOOST_AUTO_TEST_CASE(a_200_answer_is_returned_with_its_body) {
    server.respond("/password", ScriptedResponse{200, R"({"success":true})", {{"Content-Type", "application/json"}}});
    HttpClient client(host, quick_settings());
    const Outcome outcome = post(client, server.url() + "/password", kPasswordBody);

    BOOST_TEST(outcome.results.size() == 1u);
    const HttpResult& result = outcome.result();
    BOOST_TEST(result.status == 200);
    BOOST_TEST(result.body == R"({"success":true})");
    BOOST_TEST(result.failure_code == nullptr);
    BOOST_TEST(result.attempts == 1u);
    BOOST_TEST(!result.cancelled);
    BOOST_TEST(fake.misuse().empty());
}

BOOST_AUTO_TEST_CASE(the_request_is_a_json_post_with_the_body_as_given) {
    server.respond("/password", ScriptedResponse{200, "{}"});
    HttpClient client(host, quick_settings());
    post(client, server.url() + "/password", kPasswordBody);

    const auto requests = server.requests("/password");
    BOOST_REQUIRE(requests.size() == 1u);
    BOOST_TEST(requests[0].method == "POST");
    BOOST_TEST(requests[0].path == "/password");
    BOOST_TEST(requests[0].body == kPasswordBody);
    BOOST_TEST(requests[0].headers.at("content-type") == "application/json");
    BOOST_TEST(requests[0].headers.at("accept") == "application/json");
    BOOST_TEST(requests[0].headers.at("content-length") == std::to_string(kPasswordBody.size()));
    BOOST_TEST(requests[0].headers.count("expect") == 0u);
}

BOOST_AUTO_TEST_CASE(each_attempt_is_logged_without_the_body) {
    server.respond("/password", ScriptedResponse{200, R"({"success":true})"});
    HttpClient client(host, quick_settings());
    post(client, server.url() + "/password", kPasswordBody);

    const auto requests = fake.lines_with_code(codes::HTTP_CLIENT_REQUEST);
    BOOST_REQUIRE(requests.size() == 1u);
    BOOST_TEST(requests[0].field("url") == server.url() + "/password");
    BOOST_TEST(requests[0].field("attempt") == "0");
    const auto responses = fake.lines_with_code(codes::HTTP_CLIENT_RESPONSE);
    BOOST_REQUIRE(responses.size() == 1u);
    BOOST_TEST(responses[0].field("status") == "200");
    BOOST_TEST(responses[0].field("bytes") == "16");
    BOOST_TEST(logs_never_mention("czNjcjN0"));
    BOOST_TEST(logs_never_mention("success"));
}

BOOST_AUTO_TEST_CASE(log_lines_carry_the_ssh_connection_of_the_request) {
    server.respond("/password", ScriptedResponse{200, "{}"});
    csh::sdk::testing::FakeConnection connection(fake, "alice");
    HttpClient client(host, quick_settings());
    Outcome outcome;
    PostRequest request;
    request.url = server.url() + "/password";
    request.json_body = "{}";
    request.connection = connection.handle();
    client.post_json(std::move(request), [&](HttpResult result) { outcome.results.push_back(std::move(result)); });
    BOOST_REQUIRE(fake.run_until([&] { return outcome.finished(); }));

    const auto lines = fake.log_lines();
    BOOST_REQUIRE(lines.size() == 2u);  // request and response
    for (const auto& line : lines) BOOST_TEST(line.connection == connection.handle());
    host.strand_destroy(connection.strand);
}

BOOST_AUTO_TEST_CASE(credentials_and_query_of_the_url_stay_out_of_the_logs) {
    server.respond("/password", ScriptedResponse{200, "{}"});
    HttpClient client(host, quick_settings());
    const std::string url = "http://hook-user:hook-secret@127.0.0.1:" + std::to_string(server.port()) +
                            "/password?token=query-secret";
    const Outcome outcome = post(client, url, "{}");
    BOOST_TEST(outcome.result().status == 200);
    const auto requests = fake.lines_with_code(codes::HTTP_CLIENT_REQUEST);
    BOOST_REQUIRE(requests.size() == 1u);
    BOOST_TEST(requests[0].field("url") == server.url() + "/password");
    BOOST_TEST(logs_never_mention("hook-secret"));
    BOOST_TEST(logs_never_mention("query-secret"));
}

BOOST_AUTO_TEST_CASE(server_errors_are_retried_until_an_answer_comes) {
    server.respond_sequence("/password", {ScriptedResponse{500, "busy"}, ScriptedResponse{502, "busy"},
                                          ScriptedResponse{200, R"({"success":false})"}});
    HttpClient client(host, quick_settings());
    const Outcome outcome = post(client, server.url() + "/password", kPasswordBody);

    BOOST_TEST(outcome.result().status == 200);
    BOOST_TEST(outcome.result().body == R"({"success":false})");
    BOOST_TEST(outcome.result().attempts == 3u);
    BOOST_TEST(server.requests("/password").size() == 3u);
    BOOST_REQUIRE(outcome.attempts.size() == 3u);
    for (unsigned i = 0; i < 3; ++i) {
        BOOST_TEST(outcome.attempts[i].attempt == i);
        BOOST_TEST(outcome.attempts[i].failure_code == nullptr);
    }
    BOOST_TEST(outcome.attempts[0].status == 500);
    BOOST_TEST(outcome.attempts[0].will_retry);
    BOOST_TEST(outcome.attempts[1].status == 502);
    BOOST_TEST(outcome.attempts[1].will_retry);
    BOOST_TEST(outcome.attempts[2].status == 200);
    BOOST_TEST(!outcome.attempts[2].will_retry);
    // Every attempt carries the same body.
    for (const auto& request : server.requests("/password")) BOOST_TEST(request.body == kPasswordBody);
    const auto logged = fake.lines_with_code(codes::HTTP_CLIENT_REQUEST);
    BOOST_REQUIRE(logged.size() == 3u);
    BOOST_TEST(logged[2].field("attempt") == "2");
}

BOOST_AUTO_TEST_CASE(a_429_is_retried_no_earlier_than_its_retry_after) {
    server.respond_sequence("/password", {ScriptedResponse{429, "slow down", {{"Retry-After", "1"}}},
                                          ScriptedResponse{200, "{}"}});
    HttpClient client(host, quick_settings());
    const auto started = std::chrono::steady_clock::now();
    const Outcome outcome = post(client, server.url() + "/password", "{}");
    const auto elapsed = std::chrono::steady_clock::now() - started;

    BOOST_TEST(outcome.result().status == 200);
    BOOST_TEST(outcome.result().attempts == 2u);
    BOOST_REQUIRE(outcome.attempts.size() == 2u);
    BOOST_TEST(outcome.attempts[0].status == 429);
    BOOST_TEST(outcome.attempts[0].will_retry);
    // A lower bound only: the server asked for one second.
    BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() >= 1000);
}

BOOST_AUTO_TEST_CASE(a_retry_after_beyond_the_deadline_ends_the_request_with_that_answer) {
    server.respond("/password", ScriptedResponse{503, "maintenance", {{"Retry-After", "30"}}});
    HttpClient client(host, quick_settings());
    const Outcome outcome = post(client, server.url() + "/password", "{}", 3s);

    BOOST_TEST(outcome.result().status == 503);
    BOOST_TEST(outcome.result().body == "maintenance");
    BOOST_TEST(outcome.result().failure_code == nullptr);
    BOOST_TEST(outcome.result().attempts == 1u);
    BOOST_REQUIRE(outcome.attempts.size() == 1u);
    BOOST_TEST(!outcome.attempts[0].will_retry);
    BOOST_TEST(server.requests().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_404_is_an_answer_and_not_retried) {
    server.respond("/password", ScriptedResponse{404, "no such hook"});
    HttpClient client(host, quick_settings());
    const Outcome outcome = post(client, server.url() + "/password", "{}");

    BOOST_TEST(outcome.result().status == 404);
    BOOST_TEST(outcome.result().body == "no such hook");
    BOOST_TEST(outcome.result().failure_code == nullptr);
    BOOST_TEST(outcome.result().attempts == 1u);
    BOOST_TEST(server.requests().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_server_that_never_answers_is_given_up_on_by_the_deadline) {
    server.respond("/password", ScriptedResponse{200, "{}", {}, 0ms, true});
    HttpClient client(host, quick_settings(300ms));
    const auto overall = 1500ms;
    const Outcome outcome = post(client, server.url() + "/password", "{}", overall);

    const HttpResult& result = outcome.result();
    BOOST_TEST(result.failure_code == codes::HTTP_CLIENT_CONNECTION_FAILED);
    BOOST_TEST(result.status == 0);
    BOOST_TEST(result.failure.find("timed out") != std::string::npos, result.failure);
    // 300ms attempts in a 1.5s deadline: room for more than one.
    BOOST_TEST(result.attempts > 1u);
    BOOST_TEST(server.requests("/password").size() == result.attempts);
    BOOST_TEST(fake.count_code(codes::HTTP_CLIENT_CONNECTION_FAILED) == result.attempts);
    BOOST_TEST(!outcome.attempts.back().will_retry);
    // The deadline ends the retries: at most one attempt per 300 ms slot of
    // it (counted, not timed, so a slow sanitizer run cannot fail it).
    BOOST_TEST(result.attempts <= 1 + overall / 300ms);
}

BOOST_AUTO_TEST_CASE(the_overall_deadline_cuts_an_attempt_short) {
    server.respond("/password", ScriptedResponse{200, "{}", {}, 0ms, true});
    HttpClient client(host, quick_settings(10s));  // the attempt limit alone would wait 10s
    const auto started = std::chrono::steady_clock::now();
    const Outcome outcome = post(client, server.url() + "/password", "{}", 700ms);
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);

    BOOST_TEST(outcome.result().failure_code == codes::HTTP_CLIENT_CONNECTION_FAILED);
    BOOST_TEST(outcome.result().attempts == 1u);
    // The deadline, not the 10 s attempt limit, ended it: far below 10 s
    // however slow the machine.
    BOOST_TEST(elapsed.count() < 10000);
}

BOOST_AUTO_TEST_CASE(a_refused_connection_is_a_connection_failure) {
    HttpClient client(host, quick_settings());
    const std::string url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/password";
    const Outcome outcome = post(client, url, "{}", 1s);

    const HttpResult& result = outcome.result();
    BOOST_TEST(result.failure_code == codes::HTTP_CLIENT_CONNECTION_FAILED);
    BOOST_TEST(result.status == 0);
    BOOST_TEST(result.body.empty());
    BOOST_TEST(result.attempts >= 1u);
    const auto failures = fake.lines_with_code(codes::HTTP_CLIENT_CONNECTION_FAILED);
    BOOST_REQUIRE(failures.size() == result.attempts);
    BOOST_TEST(failures[0].field("url") == url);
    BOOST_TEST(failures[0].field("reason").find("onnect") != std::string::npos, failures[0].field("reason"));
    BOOST_TEST(outcome.attempts.front().failure_code == codes::HTTP_CLIENT_CONNECTION_FAILED);
    BOOST_TEST(outcome.attempts.front().status == 0);
}

BOOST_AUTO_TEST_CASE(a_body_over_one_mebibyte_is_refused_without_retry) {
    server.respond("/password", ScriptedResponse{200, std::string(5 * 1024 * 1024, 'x')});
    HttpClient client(host, quick_settings(10s));
    const Outcome outcome = post(client, server.url() + "/password", "{}");

    const HttpResult& result = outcome.result();
    BOOST_TEST(result.failure_code == codes::HTTP_CLIENT_DECODE_FAILED);
    BOOST_TEST(result.status == 200);
    BOOST_TEST(result.body.empty());
    BOOST_TEST(result.attempts == 1u);
    BOOST_TEST(server.requests().size() == 1u);
    BOOST_TEST(fake.count_code(codes::HTTP_CLIENT_DECODE_FAILED) == 1u);
}

BOOST_AUTO_TEST_CASE(a_body_of_exactly_one_mebibyte_is_accepted) {
    server.respond("/password", ScriptedResponse{200, std::string(1024 * 1024, 'y')});
    HttpClient client(host, quick_settings(10s));
    const Outcome outcome = post(client, server.url() + "/password", "{}");
    BOOST_TEST(outcome.result().failure_code == nullptr);
    BOOST_TEST(outcome.result().body.size() == 1024u * 1024u);
}

BOOST_AUTO_TEST_CASE(a_redirect_is_refused_when_redirects_are_not_allowed) {
    server.respond("/old", ScriptedResponse{302, "", {{"Location", server.url() + "/new?token=redirect-secret"}}});
    server.respond("/new", ScriptedResponse{200, "{}"});
    HttpClient client(host, quick_settings());
    const Outcome outcome = post(client, server.url() + "/old", kPasswordBody);

    const HttpResult& result = outcome.result();
    BOOST_TEST(result.failure_code == codes::HTTP_CLIENT_REDIRECTS_DISABLED);
    BOOST_TEST(result.status == 302);
    BOOST_TEST(result.attempts == 1u);
    BOOST_TEST(server.requests("/new").empty());
    const auto refused = fake.lines_with_code(codes::HTTP_CLIENT_REDIRECTS_DISABLED);
    BOOST_REQUIRE(refused.size() == 1u);
    BOOST_TEST(refused[0].field("location") == server.url() + "/new");
    BOOST_TEST(logs_never_mention("redirect-secret"));
}

BOOST_AUTO_TEST_CASE(an_allowed_redirect_is_followed_with_the_post_body) {
    server.respond("/old", ScriptedResponse{302, "", {{"Location", server.url() + "/new"}}});
    server.respond("/new", ScriptedResponse{200, R"({"success":true})"});
    HttpClientSettings settings = quick_settings();
    settings.allow_redirects = true;
    HttpClient client(host, settings);
    const Outcome outcome = post(client, server.url() + "/old", kPasswordBody);

    BOOST_TEST(outcome.result().status == 200);
    BOOST_TEST(outcome.result().body == R"({"success":true})");
    BOOST_TEST(outcome.result().failure_code == nullptr);
    const auto arrived = server.requests("/new");
    BOOST_REQUIRE(arrived.size() == 1u);
    BOOST_TEST(arrived[0].method == "POST");
    BOOST_TEST(arrived[0].body == kPasswordBody);
    const auto followed = fake.lines_with_code(codes::HTTP_CLIENT_REDIRECT);
    BOOST_REQUIRE(followed.size() == 1u);
    BOOST_TEST(followed[0].field("location") == server.url() + "/new");
}

BOOST_AUTO_TEST_CASE(sequential_requests_share_one_kept_alive_connection) {
    server.respond("/password", ScriptedResponse{200, "{}"});
    HttpClient client(host, quick_settings());
    for (int i = 0; i < 10; ++i) {
        const Outcome outcome = post(client, server.url() + "/password", "{\"n\":" + std::to_string(i) + "}");
        BOOST_TEST(outcome.result().status == 200);
    }
    BOOST_TEST(server.requests().size() == 10u);
    BOOST_TEST(server.connections_accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(fifty_concurrent_requests_all_complete) {
    server.respond("/password", ScriptedResponse{200, R"({"success":true})", {}, 20ms});
    HttpClient client(host, quick_settings(10s));
    std::vector<Outcome> outcomes(50);
    for (size_t i = 0; i < outcomes.size(); ++i) {
        start(client, server.url() + "/password", "{\"n\":" + std::to_string(i) + "}", outcomes[i], 30s);
    }
    BOOST_REQUIRE(fake.run_until([&] {
        for (const auto& outcome : outcomes) {
            if (!outcome.finished()) return false;
        }
        return true;
    }, 60s));

    std::set<std::string> bodies;
    for (const auto& outcome : outcomes) {
        BOOST_TEST(outcome.results.size() == 1u);
        BOOST_TEST(outcome.result().status == 200);
        BOOST_TEST(outcome.result().attempts == 1u);
    }
    for (const auto& request : server.requests("/password")) bodies.insert(request.body);
    BOOST_TEST(bodies.size() == 50u);
    BOOST_TEST(bodies.count("{\"n\":49}") == 1u);
}

BOOST_AUTO_TEST_CASE(a_malformed_url_fails_at_once) {
    HttpClient client(host, quick_settings());
    const Outcome outcome = post(client, "http://[not-a-host/password", "{}");
    BOOST_TEST(outcome.result().failure_code == codes::HTTP_CLIENT_CONNECTION_FAILED);
    BOOST_TEST(outcome.result().attempts == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
