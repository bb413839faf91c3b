#include "ssh/algorithms.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace csh::ssh {
namespace {

// What libssh 0.10 implements (see its kex.c), strongest first within a kind.
constexpr std::array<std::string_view, 10> kCiphers = {
    "chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes128-gcm@openssh.com",
    "aes256-ctr", "aes192-ctr", "aes128-ctr", "aes256-cbc", "aes192-cbc", "aes128-cbc", "3des-cbc"};
constexpr std::array<std::string_view, 12> kKex = {
    "curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp521", "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp256", "diffie-hellman-group18-sha512", "diffie-hellman-group16-sha512",
    "diffie-hellman-group14-sha256", "diffie-hellman-group14-sha1", "diffie-hellman-group1-sha1",
    "diffie-hellman-group-exchange-sha256", "diffie-hellman-group-exchange-sha1"};
constexpr std::array<std::string_view, 6> kMacs = {
    "hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com", "hmac-sha1-etm@openssh.com",
    "hmac-sha2-256", "hmac-sha2-512", "hmac-sha1"};

template <size_t N>
bool known(const std::array<std::string_view, N>& list, const std::string& name) {
    return std::find(list.begin(), list.end(), name) != list.end();
}

}  // namespace

AlgorithmChoice choose_algorithms(AlgorithmKind kind, const std::vector<std::string>& configured) {
    AlgorithmChoice choice;
    for (const auto& name : configured) {
        const bool ok = kind == AlgorithmKind::cipher ? known(kCiphers, name)
                        : kind == AlgorithmKind::kex  ? known(kKex, name)
                                                      : known(kMacs, name);
        if (!ok) {
            choice.dropped.push_back(name);
            continue;
        }
        if (!choice.offered.empty()) choice.offered += ',';
        choice.offered += name;
    }
    return choice;
}

}  // namespace csh::ssh
