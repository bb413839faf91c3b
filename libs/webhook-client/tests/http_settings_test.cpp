// HttpClientSettings::parse: ContainerSSH's defaults, every key read, and
// each invalid value reported with the key path (never a secret).
#include <csh/webhook/http_settings.hpp>

#include "file_contents.hpp"
#include "temp_dir.hpp"

#include <boost/test/unit_test.hpp>

#include <functional>
#include <string>

using csh::webhook::HttpClientSettings;
using namespace std::chrono_literals;

namespace {

constexpr char kConfigCode[] = "TEST_WEBHOOK_CONFIG_INVALID";
constexpr char kRoot[] = "auth.password.webhook";
const std::string kCaPem = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";

HttpClientSettings parse(const std::string& json) {
    csh::sdk::JsonConfig config(json, kConfigCode, kRoot);
    return HttpClientSettings::parse(config.root());
}

// The error parse() throws for `json`; fails the test when it does not throw.
csh::sdk::Error parse_error(const std::string& json) {
    try {
        parse(json);
    } catch (const csh::sdk::Error& error) {
        return error;
    }
    BOOST_FAIL("no error for " + json);
    throw std::logic_error("unreachable");
}

// Checks that `error` carries the config code and names `key` (under the root).
void check_names_key(const csh::sdk::Error& error, const std::string& key) {
    const std::string path = std::string(kRoot) + "." + key;
    BOOST_TEST(std::string(error.code()) == kConfigCode);
    BOOST_TEST(std::string(error.what()).find(path) != std::string::npos, error.what());
    BOOST_REQUIRE(!error.fields().empty());
    BOOST_TEST(error.fields()[0].first == "key");
    BOOST_TEST(error.fields()[0].second == path);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(http_settings)

BOOST_AUTO_TEST_CASE(an_empty_block_gives_containerssh_defaults) {
    const HttpClientSettings settings = parse("{}");
    BOOST_TEST(settings.url == "");
    BOOST_TEST(!settings.allow_redirects);
    BOOST_TEST(settings.timeout.count() == 2000);
    BOOST_TEST(settings.cacert.empty());
    BOOST_TEST(settings.cert.empty());
    BOOST_TEST(settings.key.empty());
    BOOST_TEST(settings.tls_version == "1.3");
    BOOST_TEST(settings.curves == (std::vector<std::string>{"x25519", "secp256r1", "secp384r1", "secp521r1"}));
    BOOST_TEST(settings.ciphers ==
               (std::vector<std::string>{"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                                         "TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                                         "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}));
}

BOOST_AUTO_TEST_CASE(a_null_block_gives_the_defaults_too) {
    BOOST_TEST(parse("null").timeout.count() == 2000);
}

BOOST_AUTO_TEST_CASE(every_key_is_read_and_keys_of_the_caller_are_ignored) {
    const HttpClientSettings settings = parse(R"({
        "url": "https://auth.example:8443/hooks", "allowRedirects": true, "timeout": "1m0s",
        "tlsVersion": "1.2", "curves": ["X25519", "prime256v1"],
        "cipher": ["TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "TLS_AES_128_GCM_SHA256"],
        "authTimeout": "60s", "transmitSensitiveMetadata": true})");
    BOOST_TEST(settings.url == "https://auth.example:8443/hooks");
    BOOST_TEST(settings.allow_redirects);
    BOOST_TEST(settings.timeout.count() == 60000);
    BOOST_TEST(settings.tls_version == "1.2");
    BOOST_TEST(settings.curves == (std::vector<std::string>{"X25519", "prime256v1"}));
    BOOST_TEST(settings.ciphers ==
               (std::vector<std::string>{"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "TLS_AES_128_GCM_SHA256"}));
}

BOOST_AUTO_TEST_CASE(lists_may_be_one_colon_separated_text) {
    const HttpClientSettings settings =
        parse(R"({"curves": "secp384r1:secp521r1", "cipher": "TLS_AES_256_GCM_SHA384"})");
    BOOST_TEST(settings.curves == (std::vector<std::string>{"secp384r1", "secp521r1"}));
    BOOST_TEST(settings.ciphers == (std::vector<std::string>{"TLS_AES_256_GCM_SHA384"}));
}

BOOST_AUTO_TEST_CASE(the_shortest_timeout_is_100ms) {
    BOOST_TEST(parse(R"({"timeout": "100ms"})").timeout.count() == 100);
    check_names_key(parse_error(R"({"timeout": "99ms"})"), "timeout");
}

BOOST_AUTO_TEST_CASE(invalid_values_name_their_key) {
    check_names_key(parse_error(R"({"url": "ftp://auth.example/"})"), "url");
    check_names_key(parse_error(R"({"url": "auth.example"})"), "url");
    check_names_key(parse_error(R"({"timeout": "soon"})"), "timeout");
    check_names_key(parse_error(R"({"allowRedirects": "yes"})"), "allowRedirects");
    check_names_key(parse_error(R"({"tlsVersion": "1.1"})"), "tlsVersion");
    check_names_key(parse_error(R"({"curves": ["x25519", "p-999"]})"), "curves");
    check_names_key(parse_error(R"({"curves": []})"), "curves");
    check_names_key(parse_error(R"({"cipher": ["TLS_RSA_WITH_RC4_128_SHA"]})"), "cipher");
    check_names_key(parse_error(R"({"cacert": 5})"), "cacert");
}

BOOST_AUTO_TEST_CASE(unknown_names_are_quoted_in_the_error) {
    const auto error = parse_error(R"({"curves": ["p-999"]})");
    BOOST_TEST(std::string(error.what()).find("\"p-999\"") != std::string::npos, error.what());
}

BOOST_AUTO_TEST_CASE(inline_pem_is_kept_as_given) {
    const HttpClientSettings settings = parse(R"({"cacert": "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n"})");
    BOOST_TEST(settings.cacert == kCaPem);
}

BOOST_AUTO_TEST_CASE(files_are_read_at_parse_time) {
    csh::test::TempDir dir;
    csh::test::write_file(dir.file("ca.pem"), kCaPem);
    csh::test::write_file(dir.file("client.pem"), "-----BEGIN CERTIFICATE-----\nclient\n-----END CERTIFICATE-----\n");
    csh::test::write_file(dir.file("client.key"), "-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n");
    const HttpClientSettings settings = parse(R"({"cacert": ")" + dir.file("ca.pem") + R"(", "cert": ")" +
                                              dir.file("client.pem") + R"(", "key": ")" + dir.file("client.key") +
                                              R"("})");
    BOOST_TEST(settings.cacert == kCaPem);
    BOOST_TEST(settings.cert.find("client") != std::string::npos);
    BOOST_TEST(settings.key == "-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n");
}

BOOST_AUTO_TEST_CASE(an_unreadable_file_is_named_with_its_key) {
    csh::test::TempDir dir;
    const std::string missing = dir.file("missing-ca.pem");
    const auto error = parse_error(R"({"cacert": ")" + missing + R"("})");
    check_names_key(error, "cacert");
    BOOST_TEST(std::string(error.what()).find(missing) != std::string::npos, error.what());
}

BOOST_AUTO_TEST_CASE(a_key_file_without_pem_is_refused_without_showing_its_contents) {
    csh::test::TempDir dir;
    csh::test::write_file(dir.file("client.pem"), kCaPem);
    csh::test::write_file(dir.file("client.key"), "hunter2-not-a-key");
    const auto error = parse_error(R"({"cert": ")" + dir.file("client.pem") + R"(", "key": ")" +
                                   dir.file("client.key") + R"("})");
    check_names_key(error, "key");
    BOOST_TEST(std::string(error.what()).find("hunter2") == std::string::npos, error.what());
}

// The error names the key that is set (the missing one has no path to name).
BOOST_AUTO_TEST_CASE(cert_and_key_go_together) {
    check_names_key(parse_error(R"({"cert": "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n"})"), "cert");
    const auto error = parse_error(R"({"key": "-----BEGIN PRIVATE KEY-----\nsecret-key-bytes\n-----END PRIVATE KEY-----\n"})");
    check_names_key(error, "key");
    BOOST_TEST(std::string(error.what()).find("secret-key-bytes") == std::string::npos, error.what());
}

BOOST_AUTO_TEST_SUITE_END()
