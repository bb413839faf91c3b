// Which configured ciphers, key exchanges and MACs libssh can negotiate.
// ContainerSSH accepted a few names libssh does not implement (arcfour,
// tripledescbcID); those are left out of the offer with a warning.
#pragma once

#include <string>
#include <vector>

namespace csh::ssh {

struct AlgorithmChoice {
    std::string offered;                 // comma-separated, for libssh
    std::vector<std::string> dropped;    // configured but not implemented
};

enum class AlgorithmKind { cipher, kex, mac };

AlgorithmChoice choose_algorithms(AlgorithmKind kind, const std::vector<std::string>& configured);

}  // namespace csh::ssh
