// Host keys: loading the configured ones and generating one when none is set.
#pragma once

#include <libssh/libssh.h>

#include <filesystem>
#include <stdexcept>
#include <utility>
#include <string>
#include <vector>

namespace csh::ssh {

// A configured key that cannot be used; names the key's place in ssh.hostkeys.
class HostKeyError : public std::runtime_error {
public:
    HostKeyError(std::string key_path, const std::string& problem)
        : std::runtime_error(key_path + ": " + problem), key_path_(std::move(key_path)) {}
    const std::string& key_path() const { return key_path_; }

private:
    std::string key_path_;
};

// Owns libssh keys; frees them unless released to an ssh_bind.
class HostKeys {
public:
    HostKeys() = default;
    HostKeys(HostKeys&&) noexcept;
    HostKeys& operator=(HostKeys&&) noexcept;
    ~HostKeys();
    void add(ssh_key key) { keys_.push_back(key); }
    const std::vector<ssh_key>& keys() const { return keys_; }
    std::vector<ssh_key> release() { return std::exchange(keys_, {}); }

private:
    std::vector<ssh_key> keys_;
};

// Each entry is inline PEM/OpenSSH text (its first non-blank characters are
// "-----", csh::sdk::is_inline_pem) or a path.
// RSA, ECDSA and Ed25519 keys are accepted. Throws HostKeyError.
HostKeys load_host_keys(const std::vector<std::string>& entries);

// The key's public SHA256 fingerprint as ssh-keygen -l -E sha256 prints it
// ("SHA256:" and unpadded base64). Throws std::runtime_error when libssh
// cannot hash the key.
std::string sha256_fingerprint(ssh_key key);

// Whether the fingerprints of `keys` are exactly the set `expected`, order
// and repetition aside. Throws as sha256_fingerprint.
bool fingerprints_match(const HostKeys& keys, const std::vector<std::string>& expected);

// Generates an Ed25519 key. Throws std::runtime_error when it cannot.
ssh_key generate_host_key();

// Writes a private key in OpenSSH format to `file` with mode 0600.
bool write_private_key(ssh_key key, const std::filesystem::path& file);

}  // namespace csh::ssh
