// Which configured ciphers, key exchanges and MACs the SSH server offers.
// ContainerSSH accepted a few names libssh does not implement (arcfour,
// tripledescbcID, hmac-sha1-96); those are left out of the offer with a
// warning. Names newer than this libssh (the post-quantum key exchanges
// before libssh 0.12) are left out too: the library itself is asked, so an
// upgraded libssh offers them without a rebuild.
#pragma once

#include <string>
#include <vector>

namespace csh::config::detail { struct AlgorithmFamily; }

namespace csh::ssh {

struct AlgorithmChoice {
    std::string offered;                   // comma-separated, for libssh
    std::vector<std::string> dropped;      // configured, known, but not implemented by this libssh
    std::vector<std::string> weak_offered; // offered, but weak (the file asked for them)
};

AlgorithmChoice choose_algorithms(const config::detail::AlgorithmFamily& family,
                                  const std::vector<std::string>& configured);

// Whether the linked libssh implements `name` in `family` (asks the library).
bool libssh_implements(const config::detail::AlgorithmFamily& family, const std::string& name);

}  // namespace csh::ssh
