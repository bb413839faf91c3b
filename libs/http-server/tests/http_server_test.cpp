// HttpServer over plain HTTP, with the real curl as the client: what the
// handler is given, what the client receives, keep-alive, HEAD, a handler
// that throws, an address in use, and stopping with a request in flight.
#include <csh/http/http_server.hpp>

#include "curl_fetch.hpp"
#include "process.hpp"

#include <boost/algorithm/string/predicate.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using csh::http::HttpServer;
using csh::http::Request;
using csh::http::Response;
using csh::http::ServerSettings;
using csh::http::StartError;

namespace {

ServerSettings local_settings() {
    ServerSettings settings;
    settings.listen = "127.0.0.1:0";
    return settings;
}

// Keeps a copy of every request the handler was given.
struct Recorder {
    std::mutex mutex;
    std::vector<Request> requests;

    csh::http::Handler handler(Response response) {
        return [this, response](const Request& request) {
            std::lock_guard<std::mutex> lock(mutex);
            requests.push_back(request);
            return response;
        };
    }
    std::vector<Request> seen() {
        std::lock_guard<std::mutex> lock(mutex);
        return requests;
    }
};

std::string url(const HttpServer& server, const std::string& path) { return "http://" + server.address() + path; }

}  // namespace

BOOST_AUTO_TEST_SUITE(http_server)

BOOST_AUTO_TEST_CASE(the_handler_gets_method_path_headers_and_client_and_curl_gets_its_answer) {
    Recorder recorder;
    HttpServer server(local_settings(), recorder.handler(Response{200, "text/plain; version=0.0.4", "hello\n", {}}));
    BOOST_TEST(!server.tls());
    BOOST_TEST(server.address().rfind("127.0.0.1:", 0) == 0u);
    BOOST_TEST(server.address() != "127.0.0.1:0");

    const auto fetched = csh::test::curl({"-H", "X-Scrape-Id: 42", url(server, "/some/path?x=1&y=2")});
    BOOST_TEST(fetched.curl_exit == 0, fetched.curl_error);
    BOOST_TEST(fetched.status == 200);
    BOOST_TEST(fetched.body == "hello\n");
    BOOST_TEST(fetched.header("content-type") == "text/plain; version=0.0.4");
    BOOST_TEST(fetched.header("Content-Length") == "6");

    const auto requests = recorder.seen();
    BOOST_REQUIRE(requests.size() == 1u);
    BOOST_TEST(requests[0].method == "GET");
    BOOST_TEST(requests[0].path == "/some/path");
    BOOST_TEST(requests[0].header("x-scrape-id") == "42");
    BOOST_TEST(requests[0].header("X-SCRAPE-ID") == "42");
    BOOST_TEST(requests[0].header("x-absent").empty());
    BOOST_TEST(requests[0].client.rfind("127.0.0.1:", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(status_and_extra_headers_are_the_handlers_business) {
    Recorder recorder;
    HttpServer server(local_settings(),
                      recorder.handler(Response{405, "text/plain; charset=utf-8", "no\n", {{"Allow", "GET, HEAD"}}}));
    const auto not_allowed = csh::test::curl({"-X", "DELETE", url(server, "/metrics")});
    BOOST_TEST(not_allowed.status == 405);
    BOOST_TEST(not_allowed.header("Allow") == "GET, HEAD");
    BOOST_TEST(not_allowed.body == "no\n");

    HttpServer missing(local_settings(), [](const Request&) { return Response{404, "text/plain", "not here\n", {}}; });
    const auto fetched = csh::test::curl({url(missing, "/anything")});
    BOOST_TEST(fetched.status == 404);
    BOOST_TEST(fetched.body == "not here\n");
}

BOOST_AUTO_TEST_CASE(head_sends_the_headers_with_the_length_and_no_body) {
    Recorder recorder;
    HttpServer server(local_settings(), recorder.handler(Response{200, "text/plain", "twelve bytes", {}}));
    const auto fetched = csh::test::curl({"--head", url(server, "/")});
    BOOST_TEST(fetched.curl_exit == 0, fetched.curl_error);
    BOOST_TEST(fetched.status == 200);
    BOOST_TEST(fetched.header("Content-Length") == "12");
    BOOST_TEST(fetched.body.empty());
    BOOST_TEST(recorder.seen().at(0).method == "HEAD");
}

BOOST_AUTO_TEST_CASE(a_handler_that_throws_answers_500) {
    HttpServer server(local_settings(), [](const Request&) -> Response { throw std::runtime_error("broken"); });
    const auto fetched = csh::test::curl({url(server, "/")});
    BOOST_TEST(fetched.status == 500);
    BOOST_TEST(fetched.body.find("broken") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(one_connection_serves_several_requests) {
    Recorder recorder;
    HttpServer server(local_settings(), recorder.handler(Response{200, "text/plain", "x", {}}));
    const auto run = csh::test::run({"curl", "--silent", "--show-error", url(server, "/a"), url(server, "/b"),
                                      url(server, "/c")});
    BOOST_TEST(run.exit_code == 0, run.err);
    BOOST_TEST(run.out == "xxx");
    const auto requests = recorder.seen();
    BOOST_REQUIRE(requests.size() == 3u);
    // The same client port: curl kept the connection open between requests.
    BOOST_TEST(requests[1].client == requests[0].client);
    BOOST_TEST(requests[2].client == requests[0].client);
}

BOOST_AUTO_TEST_CASE(a_request_with_a_body_is_answered_and_its_connection_closed) {
    Recorder recorder;
    HttpServer server(local_settings(), recorder.handler(Response{405, "text/plain", "x", {}}));
    const auto fetched = csh::test::curl({"--data-binary", "GET /smuggled HTTP/1.1\r\n\r\n", url(server, "/")});
    BOOST_TEST(fetched.status == 405);
    BOOST_TEST(boost::algorithm::iequals(fetched.header("Connection"), "close"));
    BOOST_TEST(recorder.seen().size() == 1u);
}

BOOST_AUTO_TEST_CASE(an_address_in_use_is_reported_as_such_with_the_address) {
    HttpServer first(local_settings(), [](const Request&) { return Response{}; });
    ServerSettings same;
    same.listen = first.address();
    try {
        HttpServer second(same, [](const Request&) { return Response{}; });
        BOOST_FAIL("the second server started on " + same.listen);
    } catch (const StartError& error) {
        BOOST_TEST_MESSAGE(error.what());
        BOOST_TEST(error.address_in_use());
        BOOST_TEST(!error.tls_rejected());
        BOOST_TEST(std::string(error.what()).find(same.listen) != std::string::npos, error.what());
        BOOST_TEST(std::string(error.what()).find("in use") != std::string::npos, error.what());
    }
    // The first one still serves.
    BOOST_TEST(csh::test::curl({url(first, "/")}).status == 200);
}

BOOST_AUTO_TEST_CASE(an_address_that_is_not_local_is_not_reported_as_in_use) {
    ServerSettings settings;
    settings.listen = "192.0.2.1:0";  // TEST-NET-1: never an address of this machine
    try {
        HttpServer server(settings, [](const Request&) { return Response{}; });
        BOOST_FAIL("started on " + settings.listen);
    } catch (const StartError& error) {
        BOOST_TEST_MESSAGE(error.what());
        BOOST_TEST(!error.address_in_use());
        BOOST_TEST(std::string(error.what()).find("192.0.2.1:0") != std::string::npos, error.what());
    }
    settings.listen = "no port";
    BOOST_CHECK_THROW(HttpServer(settings, [](const Request&) { return Response{}; }), StartError);
}

BOOST_AUTO_TEST_CASE(stopping_finishes_the_request_in_flight_first) {
    std::mutex mutex;
    std::condition_variable changed;
    bool entered = false, released = false;
    std::atomic<bool> answered{false};
    auto server = std::make_unique<HttpServer>(local_settings(), [&](const Request&) {
        std::unique_lock<std::mutex> lock(mutex);
        entered = true;
        changed.notify_all();
        changed.wait(lock, [&] { return released; });
        answered = true;
        return Response{200, "text/plain", "finished", {}};
    });
    const std::string target = url(*server, "/slow");
    auto fetch = std::async(std::launch::async, [&] { return csh::test::curl({target}); });
    {
        std::unique_lock<std::mutex> lock(mutex);
        changed.wait(lock, [&] { return entered; });
    }
    auto stop = std::async(std::launch::async, [&] { server.reset(); });
    // The stop may not return while the handler runs: when it has returned,
    // the handler must have finished, whenever the release came.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    BOOST_TEST((stop.wait_for(std::chrono::seconds(0)) != std::future_status::ready || answered.load()));
    {
        std::lock_guard<std::mutex> lock(mutex);
        released = true;
        changed.notify_all();
    }
    stop.get();
    BOOST_TEST(answered.load());
    const auto fetched = fetch.get();
    BOOST_TEST(fetched.status == 200);
    BOOST_TEST(fetched.body == "finished");
}

BOOST_AUTO_TEST_SUITE_END()
