// ServerSettings::from_json: ContainerSSH's defaults, every key, the listen
// forms, and each invalid value reported with its key path.
#include <csh/http/http_server.hpp>

#include "file_contents.hpp"
#include "temp_dir.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using csh::http::ServerSettings;
using csh::http::SettingsError;

namespace {

const std::string kCertPem = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
const std::string kKeyPem = "-----BEGIN PRIVATE KEY-----\nMIIBsecret\n-----END PRIVATE KEY-----\n";

// The key path of the SettingsError for `json`; "no error" when none.
std::string failing_key(const std::string& json, std::string* message = nullptr) {
    try {
        ServerSettings::from_json(json, "metrics", "0.0.0.0:9100");
    } catch (const SettingsError& error) {
        if (message != nullptr) *message = error.what();
        return error.key_path();
    }
    return "no error";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(server_settings)

BOOST_AUTO_TEST_CASE(an_absent_section_gives_containerssh_defaults) {
    const ServerSettings settings = ServerSettings::from_json("null", "metrics", "0.0.0.0:9100");
    BOOST_TEST(settings.listen == "0.0.0.0:9100");
    BOOST_TEST(settings.tls.cert.empty());
    BOOST_TEST(settings.tls.tls_version == "1.3");
    BOOST_TEST(settings.tls.curves == (std::vector<std::string>{"x25519", "secp256r1", "secp384r1", "secp521r1"}));
    BOOST_TEST(settings.tls.ciphers.size() == 5u);
    BOOST_TEST(ServerSettings::from_json(R"({"enable": true, "path": "/m"})", "metrics").listen.empty());
}

BOOST_AUTO_TEST_CASE(every_key_is_read_and_the_service_keys_are_ignored) {
    const std::string json = R"({"enable": true, "path": "/metrics", "listen": "127.0.0.1:9200",
        "cert": "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n",
        "key": "-----BEGIN PRIVATE KEY-----\nMIIBsecret\n-----END PRIVATE KEY-----\n",
        "clientcacert": "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n",
        "tlsVersion": "1.2", "curves": "x25519:secp384r1", "cipher": ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]})";
    const ServerSettings settings = ServerSettings::from_json(json, "metrics", "0.0.0.0:9100");
    BOOST_TEST(settings.listen == "127.0.0.1:9200");
    BOOST_TEST(settings.tls.cert == kCertPem);
    BOOST_TEST(settings.tls.key == kKeyPem);
    BOOST_TEST(settings.tls.client_ca_cert == kCertPem);
    BOOST_TEST(settings.tls.tls_version == "1.2");
    BOOST_TEST(settings.tls.curves == (std::vector<std::string>{"x25519", "secp384r1"}));
    BOOST_TEST(settings.tls.ciphers == std::vector<std::string>{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"});
}

BOOST_AUTO_TEST_CASE(certificate_files_are_read_when_the_settings_are) {
    csh::test::TempDir dir;
    csh::test::write_file(dir.file("cert.pem"), kCertPem);
    csh::test::write_file(dir.file("key.pem"), kKeyPem);
    const ServerSettings settings = ServerSettings::from_json(
        R"({"cert": ")" + dir.file("cert.pem") + R"(", "key": ")" + dir.file("key.pem") + R"("})", "health");
    BOOST_TEST(settings.tls.cert == kCertPem);
    BOOST_TEST(settings.tls.key == kKeyPem);
}

BOOST_AUTO_TEST_CASE(invalid_values_name_their_key_path) {
    BOOST_TEST(failing_key(R"({"tlsVersion": "1.1"})") == "metrics.tlsVersion");
    BOOST_TEST(failing_key(R"({"tlsVersion": 1.3})") == "metrics.tlsVersion");
    BOOST_TEST(failing_key(R"({"listen": "9100"})") == "metrics.listen");
    BOOST_TEST(failing_key(R"({"listen": ""})") == "metrics.listen");
    BOOST_TEST(failing_key(R"({"curves": ["secp224r1"]})") == "metrics.curves");
    BOOST_TEST(failing_key(R"({"cipher": "TLS_RSA_WITH_RC4_128_SHA"})") == "metrics.cipher");
    BOOST_TEST(failing_key(R"({"cert": "/nonexistent/cert.pem", "key": "/nonexistent/key.pem"})") == "metrics.cert");
    BOOST_TEST(failing_key(R"({"listen": "0.0.0.0:9100", "cert": "-----BEGIN CERTIFICATE-----"})") == "metrics.cert");
    BOOST_TEST(failing_key(R"({"clientcacert": "-----BEGIN CERTIFICATE-----"})") == "metrics.clientcacert");
    BOOST_TEST(failing_key(R"([1, 2])") == "metrics");
    BOOST_TEST(failing_key(R"({"listen": )") == "metrics");
}

BOOST_AUTO_TEST_CASE(an_error_says_what_is_expected_and_never_shows_a_key) {
    std::string message;
    BOOST_TEST(failing_key(R"({"tlsVersion": "1.0"})", &message) == "metrics.tlsVersion");
    BOOST_TEST(message.find("metrics.tlsVersion") != std::string::npos, message);
    BOOST_TEST(message.find("\"1.2\" or \"1.3\"") != std::string::npos, message);

    csh::test::TempDir dir;
    csh::test::write_file(dir.file("key.txt"), "not pem but a secret");
    const std::string json = R"({"cert": "-----BEGIN CERTIFICATE-----", "key": ")" + dir.file("key.txt") + R"("})";
    BOOST_TEST(failing_key(json, &message) == "metrics.key");
    BOOST_TEST(message.find(dir.file("key.txt")) != std::string::npos, message);
    BOOST_TEST(message.find("secret") == std::string::npos, message);
}

// The listen parser is shared with the core (libs/listen-address, whose
// cases the core's configuration tests cover); here: its problems name the key.
BOOST_AUTO_TEST_CASE(a_listen_address_that_is_not_host_port_names_the_key) {
    std::string message;
    for (const char* invalid : {"9100", "host:", "host:65536", "::1:80", "[127.0.0.1]:80", ":7000"}) {
        BOOST_TEST(failing_key(std::string(R"({"listen": ")") + invalid + "\"}", &message) == "metrics.listen", invalid);
    }
    BOOST_TEST(csh::http::ServerSettings::from_json(R"({"listen": "[::1]:9100"})", "metrics").listen == "[::1]:9100");
}

BOOST_AUTO_TEST_SUITE_END()
