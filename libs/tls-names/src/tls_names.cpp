#include <csh/tls/tls_names.hpp>

#include <cctype>

namespace csh::tls {
namespace {

struct CurveEntry {
    std::string_view go_name;
    std::string_view openssl;
};

// ContainerSSH's curve names and their aliases (reference §2.3).
constexpr CurveEntry kCurves[] = {
    {"x25519", "X25519"},       {"X25519", "X25519"},    {"secp256r1", "P-256"},
    {"prime256v1", "P-256"},    {"secp384r1", "P-384"},  {"secp521r1", "P-521"},
};

struct CipherEntry {
    std::string_view go_name;
    std::string_view openssl;
    bool tls13;
};

// Go's crypto/tls suite names, with and without the _SHA256 suffix Go
// accepts for the CHACHA20 ECDHE suites.
constexpr CipherEntry kCiphers[] = {
    {"TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", true},
    {"TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", true},
    {"TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256", true},
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", false},
    {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384", false},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256", false},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384", false},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "ECDHE-RSA-CHACHA20-POLY1305", false},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305", false},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "ECDHE-ECDSA-CHACHA20-POLY1305", false},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305", false},
};

// Cipher and curve names are matched without regard to case: "X25519" and
// "x25519" are both in ContainerSSH's documentation.
bool same_name(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

void append(std::string& list, std::string_view item) {
    if (list.find(item) != std::string::npos) return;  // aliases map to the same name
    if (!list.empty()) list += ':';
    list += item;
}

}  // namespace

std::optional<std::string> openssl_curve(std::string_view go_name) {
    for (const auto& entry : kCurves) {
        if (same_name(entry.go_name, go_name)) return std::string(entry.openssl);
    }
    return std::nullopt;
}

std::optional<CipherName> openssl_cipher(std::string_view go_name) {
    for (const auto& entry : kCiphers) {
        if (same_name(entry.go_name, go_name)) return CipherName{std::string(entry.openssl), entry.tls13};
    }
    return std::nullopt;
}

std::string known_curves() {
    std::string out;
    for (const auto& entry : kCurves) out += (out.empty() ? "" : ", ") + std::string(entry.go_name);
    return out;
}

std::string known_ciphers() {
    std::string out;
    for (const auto& entry : kCiphers) out += (out.empty() ? "" : ", ") + std::string(entry.go_name);
    return out;
}

OpenSslLists openssl_lists(const std::vector<std::string>& curves, const std::vector<std::string>& ciphers) {
    OpenSslLists lists;
    for (const auto& name : curves) {
        if (auto curve = openssl_curve(name)) append(lists.curves, *curve);
    }
    for (const auto& name : ciphers) {
        if (auto cipher = openssl_cipher(name)) append(cipher->tls13 ? lists.tls13_ciphers : lists.tls12_ciphers, cipher->openssl);
    }
    return lists;
}

}  // namespace csh::tls
