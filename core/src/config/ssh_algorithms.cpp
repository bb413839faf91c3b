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

bool AlgorithmFamily::is_weak(std::string_view name) const {
    for (const std::string& candidate : weak) {
        if (candidate == name) return true;
    }
    return false;
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
        {"aes256-cbc", "aes192-cbc", "aes128-cbc", "3des-cbc"},
    };
    return family;
}

const AlgorithmFamily& key_exchanges() {
    static const AlgorithmFamily family{
        "kex",
        "key exchange",
        {"mlkem768x25519-sha256", "sntrup761x25519-sha512", "sntrup761x25519-sha512@openssh.com",
         "curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256", "ecdh-sha2-nistp384",
         "ecdh-sha2-nistp521", "diffie-hellman-group18-sha512", "diffie-hellman-group16-sha512",
         "diffie-hellman-group14-sha256", "diffie-hellman-group14-sha1", "diffie-hellman-group1-sha1",
         "diffie-hellman-group-exchange-sha256"},
        // Post-quantum hybrids first (offered only where the SSH library
        // implements them: libssh 0.12 and later), then curve25519 under both
        // names and 4096/8192-bit groups for clients without it. ContainerSSH
        // also offers the NIST curves, which ssh-audit fails.
        {"mlkem768x25519-sha256", "sntrup761x25519-sha512", "sntrup761x25519-sha512@openssh.com",
         "curve25519-sha256", "curve25519-sha256@libssh.org", "diffie-hellman-group16-sha512",
         "diffie-hellman-group18-sha512"},
        {},
        {"ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521", "diffie-hellman-group14-sha1",
         "diffie-hellman-group1-sha1", "diffie-hellman-group-exchange-sha256"},
    };
    return family;
}

const AlgorithmFamily& macs() {
    static const AlgorithmFamily family{
        "macs",
        "MAC",
        {"hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com", "hmac-sha1-etm@openssh.com",
         "hmac-sha2-256", "hmac-sha2-512", "hmac-sha1", "hmac-sha1-96"},
        // Encrypt-then-MAC only (the AEAD ciphers need no MAC at all);
        // ContainerSSH also offers hmac-sha2-256, encrypt-and-MAC.
        {"hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com"},
        {"hmac-sha1-96"},
        {"hmac-sha2-256", "hmac-sha2-512", "hmac-sha1", "hmac-sha1-etm@openssh.com"},
    };
    return family;
}

}  // namespace csh::config::detail
