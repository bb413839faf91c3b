// Go's TLS names mapped to OpenSSL's, and the reader of the TLS keys that the
// HTTP client and server blocks share (through a server-style block here;
// the client's use is covered by unit_webhook_client's settings tests).
#define BOOST_TEST_MODULE tls_names
#include <boost/test/unit_test.hpp>

#include <csh/tls/tls_config.hpp>
#include <csh/tls/tls_names.hpp>

#include "file_contents.hpp"
#include "temp_dir.hpp"

#include <functional>
#include <string>
#include <vector>

namespace tls = csh::tls;

namespace {

constexpr char kConfigCode[] = "TEST_CONFIG_INVALID";

// The key path of the error reading `json` as the block "metrics" throws.
std::string failing_key(const std::string& json, const std::function<void(const csh::sdk::ConfigNode&)>& read) {
    csh::sdk::JsonConfig config(json, kConfigCode, "metrics");
    try {
        read(config.root());
    } catch (const csh::sdk::Error& error) {
        BOOST_TEST(std::string(error.code()) == kConfigCode);
        return error.fields().empty() ? "" : error.fields()[0].second;
    }
    return "no error";
}

}  // namespace

BOOST_AUTO_TEST_CASE(go_names_map_to_openssl_names) {
    BOOST_TEST(tls::openssl_curve("x25519").value() == "X25519");
    BOOST_TEST(tls::openssl_curve("X25519").value() == "X25519");
    BOOST_TEST(tls::openssl_curve("prime256v1").value() == "P-256");
    BOOST_TEST(tls::openssl_curve("secp521r1").value() == "P-521");
    BOOST_TEST(!tls::openssl_curve("secp224r1"));
    BOOST_TEST(tls::openssl_cipher("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384").value().openssl ==
               "ECDHE-RSA-AES256-GCM-SHA384");
    BOOST_TEST(tls::openssl_cipher("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256").value().openssl ==
               "ECDHE-ECDSA-CHACHA20-POLY1305");
    BOOST_TEST(tls::openssl_cipher("TLS_CHACHA20_POLY1305_SHA256").value().tls13);
    BOOST_TEST(!tls::openssl_cipher("TLS_RSA_WITH_AES_128_CBC_SHA"));
}

BOOST_AUTO_TEST_CASE(the_default_lists_become_openssl_list_texts) {
    const auto lists = tls::openssl_lists(
        {"x25519", "secp256r1", "secp384r1", "secp521r1", "prime256v1"},
        {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
         "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"});
    BOOST_TEST(lists.curves == "X25519:P-256:P-384:P-521");
    BOOST_TEST(lists.tls13_ciphers == "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256");
    BOOST_TEST(lists.tls12_ciphers == "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256");
}

BOOST_AUTO_TEST_CASE(absent_keys_leave_the_defaults_alone) {
    csh::sdk::JsonConfig config(R"({"listen": "0.0.0.0:9100"})", kConfigCode, "metrics");
    std::string ca = "unchanged", cert, key, version = "1.3";
    std::vector<std::string> curves{"x25519"}, ciphers{"TLS_AES_128_GCM_SHA256"};
    tls::read_pem(config.root(), "clientcacert", ca);
    tls::read_cert_and_key(config.root(), cert, key);
    tls::read_tls_version(config.root(), version);
    tls::read_curves(config.root(), curves);
    tls::read_ciphers(config.root(), ciphers);
    BOOST_TEST(ca == "unchanged");
    BOOST_TEST(cert.empty());
    BOOST_TEST(version == "1.3");
    BOOST_TEST(curves == std::vector<std::string>{"x25519"});
    BOOST_TEST(ciphers == std::vector<std::string>{"TLS_AES_128_GCM_SHA256"});
}

BOOST_AUTO_TEST_CASE(a_file_name_is_replaced_by_the_pem_it_holds) {
    csh::test::TempDir dir;
    const std::string pem = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
    csh::test::write_file(dir.file("ca.pem"), pem);
    csh::sdk::JsonConfig config(R"({"clientcacert": ")" + dir.file("ca.pem") + R"("})", kConfigCode, "metrics");
    std::string ca;
    tls::read_pem(config.root(), "clientcacert", ca);
    BOOST_TEST(ca == pem);
}

BOOST_AUTO_TEST_CASE(lists_are_json_lists_or_separated_text) {
    csh::sdk::JsonConfig config(R"({"curves": "x25519,secp384r1", "cipher": ["TLS_AES_256_GCM_SHA384"]})",
                                kConfigCode, "metrics");
    std::vector<std::string> curves, ciphers;
    tls::read_curves(config.root(), curves);
    tls::read_ciphers(config.root(), ciphers);
    BOOST_TEST(curves == (std::vector<std::string>{"x25519", "secp384r1"}));
    BOOST_TEST(ciphers == std::vector<std::string>{"TLS_AES_256_GCM_SHA384"});
}

BOOST_AUTO_TEST_CASE(each_invalid_value_names_its_key_path) {
    std::string text;
    std::vector<std::string> names;
    BOOST_TEST(failing_key(R"({"tlsVersion": "1.1"})", [&](const auto& b) { tls::read_tls_version(b, text); }) ==
               "metrics.tlsVersion");
    BOOST_TEST(failing_key(R"({"curves": ["secp224r1"]})", [&](const auto& b) { tls::read_curves(b, names); }) ==
               "metrics.curves");
    BOOST_TEST(failing_key(R"({"cipher": ""})", [&](const auto& b) { tls::read_ciphers(b, names); }) ==
               "metrics.cipher");
    BOOST_TEST(failing_key(R"({"clientcacert": "/nonexistent/ca.pem"})",
                           [&](const auto& b) { tls::read_pem(b, "clientcacert", text); }) == "metrics.clientcacert");
    std::string cert, key;
    BOOST_TEST(failing_key(R"({"cert": "-----BEGIN CERTIFICATE-----"})",
                           [&](const auto& b) { tls::read_cert_and_key(b, cert, key); }) == "metrics.cert");
}
