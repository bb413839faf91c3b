// The scripted test server is what the webhook clients' tests trust, so its
// own behaviour is pinned here: plain HTTP through Poco's client, HTTPS and
// client certificates through the curl command line (real hostname checks).
#define BOOST_TEST_MODULE http_test_server
#include <boost/test/unit_test.hpp>

#include "http_test_server.hpp"
#include "temp_dir.hpp"
#include "test_pki.hpp"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <sys/wait.h>

#include <cstdio>
#include <thread>

using csh::test::HttpTestServer;
using csh::test::ScriptedResponse;

namespace {

struct Reply {
    int status = 0;
    std::string body;
    Poco::Net::HTTPResponse response;
};

Reply exchange(Poco::Net::HTTPClientSession& session, const std::string& method, const std::string& uri,
               const std::string& body = "", const std::string& custom_header = "") {
    Poco::Net::HTTPRequest request(method, uri, Poco::Net::HTTPMessage::HTTP_1_1);
    request.setKeepAlive(true);
    if (!custom_header.empty()) request.set("X-Custom-Header", custom_header);
    if (!body.empty()) request.setContentLength(static_cast<std::streamsize>(body.size()));
    session.sendRequest(request) << body;
    Reply reply;
    std::istream& in = session.receiveResponse(reply.response);
    Poco::StreamCopier::copyToString(in, reply.body);
    reply.status = reply.response.getStatus();
    return reply;
}

struct CurlResult {
    int exit_code = -1;
    std::string output;
};

// Runs curl with `arguments`, capturing the body it prints.
CurlResult curl(const std::string& arguments) {
    const std::string command = "curl --silent --show-error --max-time 60 " + arguments + " 2>/dev/null";
    FILE* pipe = ::popen(command.c_str(), "r");
    BOOST_REQUIRE(pipe != nullptr);
    CurlResult result;
    char buffer[512];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) result.output.append(buffer, n);
    const int status = ::pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

ScriptedResponse answer(int status, std::string body) {
    ScriptedResponse response;
    response.status = status;
    response.body = std::move(body);
    return response;
}

}  // namespace

BOOST_AUTO_TEST_CASE(scripted_status_body_and_headers_are_served) {
    HttpTestServer server;
    ScriptedResponse scripted = answer(201, "created!");
    scripted.headers = {{"X-Scripted", "yes"}, {"Content-Type", "text/plain"}};
    server.respond("/things", scripted);

    Poco::Net::HTTPClientSession session("127.0.0.1", server.port());
    Reply reply = exchange(session, "GET", "/things?ignored=1");
    BOOST_TEST(reply.status == 201);
    BOOST_TEST(reply.body == "created!");
    BOOST_TEST(reply.response.get("X-Scripted", "") == "yes");
    BOOST_TEST(reply.response.getContentType() == "text/plain");
    BOOST_TEST(server.url() == "http://127.0.0.1:" + std::to_string(server.port()));
}

BOOST_AUTO_TEST_CASE(sequence_answers_in_order_and_repeats_the_last) {
    HttpTestServer server;
    server.respond_sequence("/seq", {answer(500, "first"), answer(200, "second")});

    Poco::Net::HTTPClientSession session("127.0.0.1", server.port());
    BOOST_TEST(exchange(session, "GET", "/seq").body == "first");
    BOOST_TEST(exchange(session, "GET", "/seq").status == 200);
    Reply third = exchange(session, "GET", "/seq");
    BOOST_TEST(third.status == 200);
    BOOST_TEST(third.body == "second");
}

BOOST_AUTO_TEST_CASE(requests_are_recorded_and_keep_alive_reuses_one_connection) {
    HttpTestServer server;
    server.respond("/hook", answer(200, "{}"));

    Poco::Net::HTTPClientSession session("127.0.0.1", server.port());
    session.setKeepAlive(true);
    exchange(session, "POST", "/hook", R"({"username":"alice"})", "first");
    exchange(session, "GET", "/elsewhere");
    exchange(session, "PUT", "/hook?x=y", "2", "second");

    const auto all = server.requests();
    BOOST_REQUIRE_EQUAL(all.size(), 3u);
    BOOST_TEST(all[1].path == "/elsewhere");
    const auto hook = server.requests("/hook");
    BOOST_REQUIRE_EQUAL(hook.size(), 2u);
    BOOST_TEST(hook[0].method == "POST");
    BOOST_TEST(hook[0].path == "/hook");
    BOOST_TEST(hook[0].body == R"({"username":"alice"})");
    BOOST_TEST(hook[0].headers.at("x-custom-header") == "first");
    BOOST_TEST(hook[0].headers.at("content-length") == "20");
    BOOST_TEST(hook[0].client_certificate_subject == "");
    BOOST_TEST(hook[1].method == "PUT");
    BOOST_TEST(hook[1].path == "/hook");
    BOOST_TEST(hook[1].body == "2");
    BOOST_TEST(server.connections_accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(unscripted_path_answers_404_json) {
    HttpTestServer server;
    Poco::Net::HTTPClientSession session("127.0.0.1", server.port());
    Reply reply = exchange(session, "GET", "/nothing-here");
    BOOST_TEST(reply.status == 404);
    BOOST_TEST(reply.body == R"({"error":"no response scripted for this path"})");
    BOOST_TEST(reply.response.getContentType() == "application/json");
}

BOOST_AUTO_TEST_CASE(hanging_request_does_not_block_shutdown) {
    auto server = std::make_unique<HttpTestServer>();
    ScriptedResponse hang;
    hang.hang = true;
    server->respond("/hang", hang);
    const std::uint16_t port = server->port();

    bool client_got_answer = true;
    std::thread client([&] {
        try {
            Poco::Net::HTTPClientSession session("127.0.0.1", port);
            exchange(session, "GET", "/hang");
        } catch (const Poco::Exception&) {
            client_got_answer = false;
        }
    });
    // Behaviour, not timing: wait until the request is in the handler.
    while (server->requests("/hang").empty()) std::this_thread::yield();
    server.reset();  // must return although the request is still open
    client.join();
    BOOST_TEST(!client_got_answer);
}

struct Pki {
    csh::test::TempDir dir;
    csh::test::TestPki pki = csh::test::make_test_pki(dir.file("pki"));
};

BOOST_FIXTURE_TEST_CASE(https_is_verified_with_the_test_ca, Pki) {
    HttpTestServer server(csh::test::TlsFiles{pki.server_cert, pki.server_key, ""});
    server.respond("/secure", answer(200, "over tls"));
    BOOST_TEST(server.url() == "https://127.0.0.1:" + std::to_string(server.port()));

    CurlResult trusted = curl("--cacert '" + pki.ca_cert + "' " + server.url() + "/secure");
    BOOST_TEST(trusted.exit_code == 0);
    BOOST_TEST(trusted.output == "over tls");
    CurlResult by_name = curl("--cacert '" + pki.ca_cert + "' --resolve localhost:" +
                              std::to_string(server.port()) + ":127.0.0.1 https://localhost:" +
                              std::to_string(server.port()) + "/secure");
    BOOST_TEST(by_name.output == "over tls");

    CurlResult untrusted = curl("--cacert '" + pki.other_ca_cert + "' " + server.url() + "/secure");
    BOOST_TEST(untrusted.exit_code == 60);  // CURLE_PEER_FAILED_VERIFICATION
    BOOST_TEST(server.requests().size() == 2u);
}

BOOST_FIXTURE_TEST_CASE(client_certificate_is_required_and_its_subject_recorded, Pki) {
    HttpTestServer server(csh::test::TlsFiles{pki.server_cert, pki.server_key, pki.ca_cert});
    server.respond("/mtls", answer(200, "hello client"));

    CurlResult with_cert = curl("--cacert '" + pki.ca_cert + "' --cert '" + pki.client_cert + "' --key '" +
                                pki.client_key + "' " + server.url() + "/mtls");
    BOOST_TEST(with_cert.exit_code == 0);
    BOOST_TEST(with_cert.output == "hello client");
    const auto recorded = server.requests("/mtls");
    BOOST_REQUIRE_EQUAL(recorded.size(), 1u);
    BOOST_TEST(recorded[0].client_certificate_subject == "O=ContainerSSH test,CN=csh-test-client");

    CurlResult without_cert = curl("--cacert '" + pki.ca_cert + "' " + server.url() + "/mtls");
    BOOST_TEST(without_cert.exit_code != 0);
    BOOST_TEST(without_cert.output == "");
    BOOST_TEST(server.requests().size() == 1u);
    BOOST_TEST(server.connections_accepted() == 2u);
}
