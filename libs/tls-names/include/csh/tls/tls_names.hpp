// ContainerSSH's TLS names (Go's crypto/tls spelling) and OpenSSL's names
// for the same curves and cipher suites, shared by the webhook client
// (libcurl) and the HTTP server (Poco, on its SSL_CTX).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace csh::tls {

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

// The colon-separated lists libcurl and OpenSSL take; empty when nothing of
// that kind is configured. Names must be valid (read_curves and read_ciphers
// in tls_config.hpp check).
struct OpenSslLists {
    std::string curves;         // CURLOPT_SSL_EC_CURVES, SSL_CTX_set1_groups_list
    std::string tls12_ciphers;  // CURLOPT_SSL_CIPHER_LIST, SSL_CTX_set_cipher_list
    std::string tls13_ciphers;  // CURLOPT_TLS13_CIPHERS, SSL_CTX_set_ciphersuites
};
OpenSslLists openssl_lists(const std::vector<std::string>& curves, const std::vector<std::string>& ciphers);

}  // namespace csh::tls
