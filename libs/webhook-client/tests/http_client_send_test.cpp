// send(): any method, its own headers, a body from memory or streamed from a
// file range, chosen response headers handed back.
#include "client_test_support.hpp"

#include "http_test_server.hpp"
#include "temp_dir.hpp"

#include <fstream>

using namespace webhook_test;
using csh::test::HttpTestServer;
using csh::test::ScriptedResponse;
using csh::webhook::FileBody;
using csh::webhook::HttpRequest;

namespace {

struct SendFixture : HostFixture {
    HttpResult send(HttpClient& client, HttpRequest request) {
        std::optional<HttpResult> result;
        client.send(std::move(request), [&](HttpResult r) { result = std::move(r); });
        BOOST_REQUIRE(fake.run_until([&] { return result.has_value(); }, 30s));
        return *result;
    }

    HttpTestServer server;
    csh::test::TempDir dir;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(http_client_send, SendFixture)

BOOST_AUTO_TEST_CASE(a_file_range_is_sent_as_the_body_with_the_given_method_and_headers) {
    server.respond("/object", ScriptedResponse{200, "", {{"ETag", "\"abc\""}, {"X-Other", "1"}}});
    const std::string path = dir.file("body");
    std::ofstream(path, std::ios::binary) << "skip-THE RANGE-skip";
    HttpClient client(host, quick_settings());
    HttpRequest request;
    request.method = "PUT";
    request.url = server.url() + "/object";
    request.headers = {"X-Test: yes", "Content-Type: application/octet-stream"};
    request.body_file = FileBody{path, 5, 9};
    request.response_headers = {"etag"};
    const HttpResult result = send(client, request);

    BOOST_TEST(result.status == 200);
    BOOST_REQUIRE(result.headers.size() == 1u);
    BOOST_TEST(result.headers[0].first == "etag");
    BOOST_TEST(result.headers[0].second == "\"abc\"");
    const auto received = server.requests("/object");
    BOOST_REQUIRE(received.size() == 1u);
    BOOST_TEST(received[0].method == "PUT");
    BOOST_TEST(received[0].body == "THE RANGE");
    BOOST_TEST(received[0].headers.at("x-test") == "yes");
    BOOST_TEST(received[0].headers.at("content-type") == "application/octet-stream");
    BOOST_TEST(received[0].headers.count("expect") == 0u);
}

BOOST_AUTO_TEST_CASE(a_delete_without_a_body_sends_none) {
    server.respond("/object", ScriptedResponse{204, ""});
    HttpClient client(host, quick_settings());
    HttpRequest request;
    request.method = "DELETE";
    request.url = server.url() + "/object";
    BOOST_TEST(send(client, request).status == 204);
    const auto received = server.requests("/object");
    BOOST_REQUIRE(received.size() == 1u);
    BOOST_TEST(received[0].method == "DELETE");
    BOOST_TEST(received[0].body.empty());
    BOOST_TEST(received[0].headers.count("content-type") == 0u);
}

BOOST_AUTO_TEST_CASE(a_body_file_that_cannot_be_read_fails_for_good_without_a_request) {
    HttpClient client(host, quick_settings());
    HttpRequest request;
    request.method = "PUT";
    request.url = server.url() + "/object";
    request.body_file = FileBody{dir.file("absent"), 0, 4};
    const HttpResult result = send(client, request);
    BOOST_TEST(result.failure_code != nullptr);
    BOOST_TEST(!result.transient);
    BOOST_TEST(result.failure.find("absent") != std::string::npos, result.failure);
    BOOST_TEST(server.requests().empty());
}

BOOST_AUTO_TEST_CASE(a_connection_failure_is_transient) {
    HttpClient client(host, quick_settings(300ms));
    HttpRequest request;
    request.url = "http://127.0.0.1:1/";
    request.overall_timeout = 500ms;
    const HttpResult result = send(client, request);
    BOOST_TEST(result.failure_code != nullptr);
    BOOST_TEST(result.transient);
}

BOOST_AUTO_TEST_SUITE_END()
