#include "config/ssh_algorithms.hpp"

namespace csh::config::detail {

bool AlgorithmFamily::knows(std::string_view name) const {
    for (const std::string& candidate : known) {
        if (candidate == name) return true;
    }
    return false;
}

bool AlgorithmFamily::implemented(std::string_view name) const {
    if (!knows(name)) return false;
    for (const std::string& candidate : legacy) {
        if (candidate == name) return false;
    }
    return true;
}

std::string AlgorithmFamily::known_list() const {
    std::string out;
    for (const std::string& name : known) {
        if (!out.empty()) out += ", ";
        out += name;
    }
    return out;
}

const AlgorithmFamily& ciphers() {
    static const AlgorithmFamily family{
        "ciphers",
        "cipher",
        {"chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes128-gcm@openssh.com", "aes256-ctr",
         "aes192-ctr", "aes128-ctr", "aes256-cbc", "aes192-cbc", "aes128-cbc", "3des-cbc", "arcfour256",
         "arcfour128", "arcfour", "tripledescbcID"},
        // ContainerSSH's defaults: only AEAD and CTR modes.
        {"chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes128-gcm@openssh.com", "aes256-ctr",
         "aes192-ctr", "aes128-ctr"},
        {"arcfour256", "arcfour128", "arcfour", "tripledescbcID"},
    };
    return family;
}

const AlgorithmFamily& key_exchanges() {
    static const AlgorithmFamily family{
        "kex",
        "key exchange",
        {"curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256", "ecdh-sha2-nistp384",
         "ecdh-sha2-nistp521", "diffie-hellman-group18-sha512", "diffie-hellman-group16-sha512",
         "diffie-hellman-group14-sha256", "diffie-hellman-group14-sha1", "diffie-hellman-group1-sha1",
         "diffie-hellman-group-exchange-sha256"},
        // ContainerSSH's defaults plus the RFC 8731 name of curve25519 and a
        // 4096-bit group for clients without elliptic curves; nothing weaker.
        {"curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp521", "ecdh-sha2-nistp384",
         "ecdh-sha2-nistp256", "diffie-hellman-group16-sha512"},
        {},
    };
    return family;
}

const AlgorithmFamily& macs() {
    static const AlgorithmFamily family{
        "macs",
        "MAC",
        {"hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com", "hmac-sha1-etm@openssh.com",
         "hmac-sha2-256", "hmac-sha2-512", "hmac-sha1", "hmac-sha1-96"},
        // ContainerSSH's defaults plus their SHA-512 variants; no SHA-1.
        {"hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com", "hmac-sha2-256", "hmac-sha2-512"},
        {"hmac-sha1-96"},
    };
    return family;
}

}  // namespace csh::config::detail
