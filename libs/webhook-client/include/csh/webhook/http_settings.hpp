// The settings of one webhook HTTP client: ContainerSSH's shared HTTP client
// block (url, allowRedirects, timeout, cacert, cert, key, tlsVersion, curves,
// cipher), read from the plugin's configuration section.
#pragma once

#include <containerssh/sdk/json_config.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace csh::webhook {

struct HttpClientSettings {
    // Where requests go; "http://" or "https://". May be empty here: the
    // caller decides whether a missing url is an error.
    std::string url;
    // When false, a redirect ends the request (HTTP_CLIENT_REDIRECTS_DISABLED).
    bool allow_redirects = false;
    // The limit of one HTTP attempt (connect, TLS, send, receive).
    std::chrono::milliseconds timeout{2000};
    // PEM text (parse() reads a file path into its contents, so after parse
    // these hold PEM or are empty). The client also accepts a file path here
    // when the settings are built by hand. `key` is a secret: never log it.
    std::string cacert;  // trust only this CA (the system store otherwise)
    std::string cert;    // client certificate for mTLS
    std::string key;     // its private key
    // Minimum TLS version: "1.2" or "1.3".
    std::string tls_version = "1.3";
    // ContainerSSH (Go) names, validated by parse(); the client maps them to
    // OpenSSL's names. Defaults are ContainerSSH's.
    std::vector<std::string> curves{"x25519", "secp256r1", "secp384r1", "secp521r1"};
    std::vector<std::string> ciphers{"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                                     "TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                                     "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"};

    // Reads the HTTP client keys of `block` (other keys of the caller, such
    // as authTimeout, are ignored). Throws csh::sdk::Error with the block's
    // configuration code naming the key path when a value is invalid: a url
    // that is not http(s), timeout below 100ms, an unknown tlsVersion, curve
    // or cipher, an unreadable cacert/cert/key file (named; its contents
    // never appear in the error). Reads files: [control].
    static HttpClientSettings parse(const csh::sdk::ConfigNode& block);
};

// The smallest per-attempt timeout ContainerSSH accepts.
inline constexpr std::chrono::milliseconds kMinimumTimeout{100};

}  // namespace csh::webhook
