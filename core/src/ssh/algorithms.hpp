// Which configured ciphers, key exchanges and MACs the SSH server offers.
// ContainerSSH accepted a few names libssh does not implement (arcfour,
// tripledescbcID, hmac-sha1-96); those are left out of the offer with a warning.
#pragma once

#include <string>
#include <vector>

namespace csh::config::detail { struct AlgorithmFamily; }

namespace csh::ssh {

struct AlgorithmChoice {
    std::string offered;                 // comma-separated, for libssh
    std::vector<std::string> dropped;    // configured but not implemented
};

AlgorithmChoice choose_algorithms(const config::detail::AlgorithmFamily& family,
                                  const std::vector<std::string>& configured);

}  // namespace csh::ssh
