// HttpServer over TLS against the real curl: certificates from files and from
// PEM text, client certificates required and checked, the minimum version,
// and TLS material that is refused at start.
#include <csh/http/http_server.hpp>

#include "curl_fetch.hpp"
#include "file_contents.hpp"
#include "temp_dir.hpp"
#include "test_pki.hpp"

#include <boost/test/unit_test.hpp>

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <string>

using csh::http::HttpServer;
using csh::http::Request;
using csh::http::Response;
using csh::http::ServerSettings;
using csh::http::StartError;

namespace {

// One throw-away PKI for the whole suite (the openssl CLI makes it).
const csh::test::TestPki& pki() {
    static csh::test::TempDir dir;
    static const csh::test::TestPki made = csh::test::make_test_pki(dir.file("pki"));
    return made;
}

ServerSettings tls_settings() {
    ServerSettings settings;
    settings.listen = "127.0.0.1:0";
    settings.tls.cert = pki().server_cert;  // file names, as a hand-built setting may hold
    settings.tls.key = pki().server_key;
    return settings;
}

csh::http::Handler hello() {
    return [](const Request&) { return Response{200, "text/plain", "over tls", {}}; };
}

std::string url(const HttpServer& server) { return "https://" + server.address() + "/"; }

// The StartError `settings` give; fails the test when the server starts.
StartError start_error(const ServerSettings& settings) {
    try {
        HttpServer server(settings, hello());
    } catch (const StartError& error) {
        BOOST_TEST_MESSAGE(error.what());
        return error;
    }
    BOOST_FAIL("the server started");
    throw std::logic_error("unreachable");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(https_server)

BOOST_AUTO_TEST_CASE(https_with_certificate_files) {
    HttpServer server(tls_settings(), hello());
    BOOST_TEST(server.tls());
    const auto fetched = csh::test::curl({"--cacert", pki().ca_cert, url(server)});
    BOOST_TEST(fetched.curl_exit == 0, fetched.curl_error);
    BOOST_TEST(fetched.body == "over tls");
    // Plain HTTP to the TLS port gets no answer.
    BOOST_TEST(csh::test::curl({"http://" + server.address() + "/"}).status == 0);
}

BOOST_AUTO_TEST_CASE(https_with_pem_text_from_the_configuration) {
    const std::string json = R"({"listen": "127.0.0.1:0", "cert": ")" + pki().server_cert + R"(", "key": ")" +
                             pki().server_key + R"("})";
    const ServerSettings settings = ServerSettings::from_json(json, "metrics");
    BOOST_TEST(settings.tls.cert.rfind("-----BEGIN", 0) == 0u);  // read into PEM text
    HttpServer server(settings, hello());
    const auto fetched = csh::test::curl({"--cacert", pki().ca_cert, url(server)});
    BOOST_TEST(fetched.curl_exit == 0, fetched.curl_error);
    BOOST_TEST(fetched.body == "over tls");
}

BOOST_AUTO_TEST_CASE(a_client_that_connects_and_says_nothing_holds_up_no_one) {
    HttpServer server(tls_settings(), hello());
    // Connected, no TLS handshake: it must not stall the accepting thread.
    Poco::Net::StreamSocket silent(Poco::Net::SocketAddress(server.address()));
    const auto fetched = csh::test::curl({"--cacert", pki().ca_cert, url(server)});
    BOOST_TEST(fetched.curl_exit == 0, fetched.curl_error);
    BOOST_TEST(fetched.body == "over tls");
}

BOOST_AUTO_TEST_CASE(with_clientcacert_a_client_certificate_is_required_and_checked) {
    ServerSettings settings = tls_settings();
    settings.tls.client_ca_cert = pki().ca_cert;
    int served = 0;
    HttpServer server(settings, [&served](const Request&) {
        ++served;  // one request at a time in this test
        return Response{200, "text/plain", "hello client", {}};
    });

    const auto without = csh::test::curl({"--cacert", pki().ca_cert, url(server)});
    BOOST_TEST(without.curl_exit != 0);
    BOOST_TEST(without.status == 0);

    const auto with = csh::test::curl(
        {"--cacert", pki().ca_cert, "--cert", pki().client_cert, "--key", pki().client_key, url(server)});
    BOOST_TEST(with.curl_exit == 0, with.curl_error);
    BOOST_TEST(with.body == "hello client");
    BOOST_TEST(served == 1);
}

BOOST_AUTO_TEST_CASE(a_client_certificate_from_another_ca_is_refused) {
    ServerSettings settings = tls_settings();
    settings.tls.client_ca_cert = pki().other_ca_cert;
    HttpServer server(settings, hello());
    const auto fetched = csh::test::curl(
        {"--cacert", pki().ca_cert, "--cert", pki().client_cert, "--key", pki().client_key, url(server)});
    BOOST_TEST(fetched.curl_exit != 0);
    BOOST_TEST(fetched.status == 0);
}

BOOST_AUTO_TEST_CASE(tls_version_13_refuses_a_client_limited_to_12) {
    HttpServer strict(tls_settings(), hello());  // tlsVersion defaults to 1.3
    const auto refused = csh::test::curl({"--cacert", pki().ca_cert, "--tls-max", "1.2", url(strict)});
    BOOST_TEST(refused.curl_exit == 35, refused.curl_error);  // CURLE_SSL_CONNECT_ERROR
    BOOST_TEST(refused.status == 0);

    ServerSettings settings = tls_settings();
    settings.tls.tls_version = "1.2";
    HttpServer lenient(settings, hello());
    const auto accepted = csh::test::curl({"--cacert", pki().ca_cert, "--tls-max", "1.2", url(lenient)});
    BOOST_TEST(accepted.curl_exit == 0, accepted.curl_error);
    BOOST_TEST(accepted.body == "over tls");
}

BOOST_AUTO_TEST_CASE(the_configured_suites_are_the_only_ones_offered) {
    ServerSettings settings = tls_settings();
    settings.tls.tls_version = "1.2";
    settings.tls.ciphers = {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384"};
    HttpServer server(settings, hello());
    const auto chosen = csh::test::curl({"--cacert", pki().ca_cert, "--tls-max", "1.2", "--ciphers",
                                         "ECDHE-ECDSA-AES256-GCM-SHA384", url(server)});
    BOOST_TEST(chosen.curl_exit == 0, chosen.curl_error);
    const auto other = csh::test::curl({"--cacert", pki().ca_cert, "--tls-max", "1.2", "--ciphers",
                                        "ECDHE-ECDSA-AES128-GCM-SHA256", url(server)});
    BOOST_TEST(other.curl_exit == 35, other.curl_error);
    const auto tls13 = csh::test::curl(
        {"--cacert", pki().ca_cert, "--tls13-ciphers", "TLS_AES_128_GCM_SHA256", url(server)});
    BOOST_TEST(tls13.curl_exit == 35, tls13.curl_error);
}

BOOST_AUTO_TEST_CASE(tls_material_that_is_refused_stops_the_start_naming_the_setting) {
    ServerSettings not_a_cert = tls_settings();
    not_a_cert.tls.cert = pki().server_key;  // a key where the certificate belongs
    StartError error = start_error(not_a_cert);
    BOOST_TEST(!error.address_in_use());
    BOOST_TEST(error.tls_rejected());
    BOOST_TEST(std::string(error.what()).find("cert") != std::string::npos, error.what());
    BOOST_TEST(std::string(error.what()).find("127.0.0.1:0") != std::string::npos, error.what());

    ServerSettings wrong_key = tls_settings();
    wrong_key.tls.key = pki().client_key;  // belongs to another certificate
    error = start_error(wrong_key);
    BOOST_TEST(std::string(error.what()).find("key") != std::string::npos, error.what());
    const std::string key_pem = csh::test::read_file(pki().client_key);
    const std::string key_body = key_pem.substr(key_pem.find('\n') + 1, 40);
    BOOST_TEST(std::string(error.what()).find(key_body) == std::string::npos, error.what());

    ServerSettings missing_file = tls_settings();
    missing_file.tls.client_ca_cert = "/nonexistent/ca.pem";
    error = start_error(missing_file);
    BOOST_TEST(std::string(error.what()).find("/nonexistent/ca.pem") != std::string::npos, error.what());
}

BOOST_AUTO_TEST_SUITE_END()
