// ContainerSSH's TLS names (Go's crypto/tls spelling) and the OpenSSL names
// libcurl needs for the same curves and cipher suites.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace csh::webhook::tls {

// "x25519"/"X25519" -> "X25519", "secp256r1"/"prime256v1" -> "P-256", ...
// nullopt for a name ContainerSSH does not know.
std::optional<std::string> openssl_curve(std::string_view go_name);

struct CipherName {
    std::string openssl;  // e.g. "ECDHE-RSA-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256"
    bool tls13 = false;   // a TLS 1.3 suite (CURLOPT_TLS13_CIPHERS) or a TLS 1.2 one
};
std::optional<CipherName> openssl_cipher(std::string_view go_name);

// The accepted names, for error messages.
std::string known_curves();
std::string known_ciphers();

// The colon-separated lists libcurl takes; empty when nothing of that kind
// is configured. Names must be valid (HttpClientSettings::parse checks).
struct OpenSslLists {
    std::string curves;         // CURLOPT_SSL_EC_CURVES
    std::string tls12_ciphers;  // CURLOPT_SSL_CIPHER_LIST
    std::string tls13_ciphers;  // CURLOPT_TLS13_CIPHERS
};
OpenSslLists openssl_lists(const std::vector<std::string>& curves, const std::vector<std::string>& ciphers);

}  // namespace csh::webhook::tls
