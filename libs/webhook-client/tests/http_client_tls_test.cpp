// HTTPS: the configured CA is what is trusted, client certificates reach a
// server that asks for them, and the TLS version/cipher/curve settings are
// accepted by libcurl and OpenSSL.
#include "client_test_support.hpp"

#include "file_contents.hpp"
#include "http_test_server.hpp"
#include "temp_dir.hpp"
#include "test_pki.hpp"

using namespace webhook_test;
using csh::test::HttpTestServer;
using csh::test::ScriptedResponse;
using csh::test::TestPki;
using csh::test::TlsFiles;
namespace codes = csh::webhook::codes;

namespace {

// One PKI for the whole suite: making certificates takes a while.
const TestPki& pki() {
    static csh::test::TempDir dir;
    static const TestPki made = csh::test::make_test_pki(dir.file("pki"));
    return made;
}

HttpClientSettings tls_settings(const std::string& cacert) {
    HttpClientSettings settings = quick_settings();
    settings.cacert = cacert;  // a file path: the client reads it
    return settings;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(http_client_tls, HostFixture)

BOOST_AUTO_TEST_CASE(https_with_the_configured_ca_succeeds) {
    HttpTestServer server(TlsFiles{pki().server_cert, pki().server_key, ""});
    server.respond("/password", ScriptedResponse{200, R"({"success":true})"});
    HttpClient client(host, tls_settings(pki().ca_cert));
    const Outcome outcome = post(client, server.url() + "/password", "{}");

    BOOST_TEST(server.url().rfind("https://", 0) == 0u);
    BOOST_TEST(outcome.result().status == 200);
    BOOST_TEST(outcome.result().body == R"({"success":true})");
    BOOST_TEST(outcome.result().failure_code == nullptr);
}

BOOST_AUTO_TEST_CASE(a_host_name_is_resolved_and_checked_against_the_certificate) {
    HttpTestServer server(TlsFiles{pki().server_cert, pki().server_key, ""});
    server.respond("/password", ScriptedResponse{200, "{}"});
    HttpClient client(host, tls_settings(pki().ca_cert));
    const Outcome outcome = post(client, "https://localhost:" + std::to_string(server.port()) + "/password", "{}");
    BOOST_TEST(outcome.result().status == 200, outcome.result().failure);
}

BOOST_AUTO_TEST_CASE(the_ca_may_be_given_as_inline_pem) {
    HttpTestServer server(TlsFiles{pki().server_cert, pki().server_key, ""});
    server.respond("/password", ScriptedResponse{200, "{}"});
    HttpClient client(host, tls_settings(csh::test::read_file(pki().ca_cert)));
    BOOST_TEST(post(client, server.url() + "/password", "{}").result().status == 200);
}

BOOST_AUTO_TEST_CASE(a_server_signed_by_another_ca_is_refused) {
    HttpTestServer server(TlsFiles{pki().server_cert, pki().server_key, ""});
    server.respond("/password", ScriptedResponse{200, "{}"});
    HttpClient client(host, tls_settings(pki().other_ca_cert));
    const Outcome outcome = post(client, server.url() + "/password", "{}", 1s);

    BOOST_TEST(outcome.result().failure_code == codes::HTTP_CLIENT_CONNECTION_FAILED);
    BOOST_TEST(outcome.result().status == 0);
    BOOST_TEST(outcome.result().failure.find("certificate") != std::string::npos, outcome.result().failure);
    BOOST_TEST(server.requests().empty());
}

BOOST_AUTO_TEST_CASE(the_system_store_does_not_trust_the_test_ca) {
    HttpTestServer server(TlsFiles{pki().server_cert, pki().server_key, ""});
    server.respond("/password", ScriptedResponse{200, "{}"});
    HttpClient client(host, quick_settings());
    const Outcome outcome = post(client, server.url() + "/password", "{}", 1s);
    BOOST_TEST(outcome.result().failure_code == codes::HTTP_CLIENT_CONNECTION_FAILED);
    BOOST_TEST(server.requests().empty());
}

BOOST_AUTO_TEST_CASE(a_client_certificate_reaches_a_server_that_requires_one) {
    HttpTestServer server(TlsFiles{pki().server_cert, pki().server_key, pki().ca_cert});
    server.respond("/password", ScriptedResponse{200, "{}"});
    HttpClientSettings settings = tls_settings(pki().ca_cert);
    settings.cert = pki().client_cert;
    settings.key = pki().client_key;
    HttpClient client(host, settings);
    const Outcome outcome = post(client, server.url() + "/password", "{}");

    BOOST_TEST(outcome.result().status == 200);
    const auto requests = server.requests("/password");
    BOOST_REQUIRE(requests.size() == 1u);
    BOOST_TEST(requests[0].client_certificate_subject == "O=ContainerSSH test,CN=csh-test-client");
}

BOOST_AUTO_TEST_CASE(without_a_client_certificate_a_server_that_requires_one_refuses) {
    HttpTestServer server(TlsFiles{pki().server_cert, pki().server_key, pki().ca_cert});
    server.respond("/password", ScriptedResponse{200, "{}"});
    HttpClient client(host, tls_settings(pki().ca_cert));
    const Outcome outcome = post(client, server.url() + "/password", "{}", 1s);

    BOOST_TEST(outcome.result().failure_code == codes::HTTP_CLIENT_CONNECTION_FAILED);
    BOOST_TEST(outcome.result().status == 0);
    BOOST_TEST(server.requests().empty());
}

BOOST_AUTO_TEST_CASE(tls_1_2_with_chosen_ciphers_and_curves_connects) {
    HttpTestServer server(TlsFiles{pki().server_cert, pki().server_key, ""});
    server.respond("/password", ScriptedResponse{200, "{}"});
    HttpClientSettings settings = tls_settings(pki().ca_cert);
    settings.tls_version = "1.2";
    settings.ciphers = {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"};
    settings.curves = {"secp256r1", "x25519"};
    HttpClient client(host, settings);
    const Outcome outcome = post(client, server.url() + "/password", "{}");
    BOOST_TEST(outcome.result().status == 200, outcome.result().failure);
}

BOOST_AUTO_TEST_CASE(https_connections_are_kept_alive_too) {
    HttpTestServer server(TlsFiles{pki().server_cert, pki().server_key, pki().ca_cert});
    server.respond("/password", ScriptedResponse{200, "{}"});
    HttpClientSettings settings = tls_settings(pki().ca_cert);
    settings.cert = pki().client_cert;
    settings.key = pki().client_key;
    HttpClient client(host, settings);
    for (int i = 0; i < 5; ++i) BOOST_TEST(post(client, server.url() + "/password", "{}").result().status == 200);
    BOOST_TEST(server.connections_accepted() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
