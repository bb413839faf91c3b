// The SSH algorithm names `ssh.ciphers`, `ssh.kex` and `ssh.macs` accept
// (ContainerSSH's lists plus what libssh implements) and their defaults.
// The defaults pass ssh-audit: no NIST-curve key exchange, no SHA-1, no
// encrypt-and-MAC MACs. Weaker names stay accepted so that ContainerSSH's
// files keep working, and the server warns about each one it offers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace csh::config::detail {

struct AlgorithmFamily {
    std::string_view key;          // "ciphers", "kex", "macs"
    std::string_view description;  // "cipher", "key exchange", "MAC"
    std::vector<std::string> known;
    std::vector<std::string> defaults;
    // Names ContainerSSH accepted that libssh does not implement: valid in the
    // file, left out of the offer by the SSH server.
    std::vector<std::string> legacy;
    // Implemented, but not offered by default and reported at start when a
    // file asks for them (SSH_ALGORITHM_WEAK).
    std::vector<std::string> weak;

    bool knows(std::string_view name) const;
    // Known and implemented by libssh.
    bool implemented(std::string_view name) const;
    bool is_weak(std::string_view name) const;
    // The known names separated by ", ", for error messages.
    std::string known_list() const;
};

const AlgorithmFamily& ciphers();
const AlgorithmFamily& key_exchanges();
const AlgorithmFamily& macs();

}  // namespace csh::config::detail
