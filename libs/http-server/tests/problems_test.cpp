// The HTTP server reports what the client cannot be told: a handler that
// threw (the client got a 500) and an answer the client left before reading
// (a real client: curl, and a raw socket that hangs up).
#include <boost/test/unit_test.hpp>

#include <csh/http/http_server.hpp>

#include <curl_fetch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Reports {
    std::mutex mutex;
    std::vector<csh::http::ServeProblem> seen;

    csh::http::ProblemReporter reporter() {
        return [this](const csh::http::ServeProblem& problem) {
            std::lock_guard<std::mutex> lock(mutex);
            seen.push_back(problem);
        };
    }
    std::vector<csh::http::ServeProblem> wait_for(size_t count) {
        for (int i = 0; i < 200; ++i) {
            {
                std::lock_guard<std::mutex> lock(mutex);
                if (seen.size() >= count) return seen;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
        std::lock_guard<std::mutex> lock(mutex);
        return seen;
    }
};

csh::http::ServerSettings on_loopback() {
    csh::http::ServerSettings settings;
    settings.listen = "127.0.0.1:0";
    return settings;
}

uint16_t port_of(const csh::http::HttpServer& server) {
    const std::string address = server.address();
    return static_cast<uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(serve_problems)

BOOST_AUTO_TEST_CASE(a_handler_that_throws_gives_a_500_and_a_report) {
    Reports reports;
    csh::http::HttpServer server(
        on_loopback(), [](const csh::http::Request&) -> csh::http::Response { throw std::runtime_error("no answer"); },
        reports.reporter());
    const auto fetched = csh::test::curl({"http://" + server.address() + "/healthz"});
    BOOST_TEST(fetched.status == 500);
    const auto seen = reports.wait_for(1);
    BOOST_TEST_REQUIRE(seen.size() == 1u);
    BOOST_TEST((seen[0].kind == csh::http::ServeProblem::Kind::handler_failed));
    BOOST_TEST(seen[0].message == "no answer");
    BOOST_TEST(seen[0].path == "/healthz");
    BOOST_TEST(seen[0].client.rfind("127.0.0.1:", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(a_client_that_leaves_before_the_answer_is_reported) {
    Reports reports;
    // An answer far larger than the socket buffers, so the writer is still
    // writing when the client is gone.
    const std::string big(64u << 20, 'x');
    csh::http::HttpServer server(
        on_loopback(), [&big](const csh::http::Request&) { return csh::http::Response{200, "text/plain", big, {}}; },
        reports.reporter());
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    BOOST_TEST_REQUIRE(fd >= 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port_of(server));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    BOOST_TEST_REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);
    const std::string request = "GET /big HTTP/1.1\r\nHost: x\r\n\r\n";
    BOOST_TEST_REQUIRE(::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size()));
    char some[4096];
    BOOST_TEST(::read(fd, some, sizeof some) > 0);
    // Unread data at close makes the kernel reset the connection.
    ::close(fd);
    const auto seen = reports.wait_for(1);
    BOOST_TEST_REQUIRE(seen.size() == 1u);
    BOOST_TEST((seen[0].kind == csh::http::ServeProblem::Kind::write_failed));
    BOOST_TEST(seen[0].path == "/big");
    BOOST_TEST(!seen[0].message.empty());
}

BOOST_AUTO_TEST_CASE(an_answer_that_goes_out_reports_nothing) {
    Reports reports;
    csh::http::HttpServer server(
        on_loopback(), [](const csh::http::Request&) { return csh::http::Response{200, "text/plain", "ok\n", {}}; },
        reports.reporter());
    const auto fetched = csh::test::curl({"http://" + server.address() + "/"});
    BOOST_TEST(fetched.status == 200);
    BOOST_TEST(fetched.body == "ok\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    BOOST_TEST(reports.wait_for(0).empty());
}

BOOST_AUTO_TEST_SUITE_END()
