#include "ssh/host_keys.hpp"

#include <sys/stat.h>

#include <set>

#include <containerssh/sdk/pem_source.hpp>

namespace csh::ssh {

HostKeys::HostKeys(HostKeys&& other) noexcept : keys_(std::exchange(other.keys_, {})) {}

HostKeys& HostKeys::operator=(HostKeys&& other) noexcept {
    if (this != &other) {
        for (auto* k : keys_) ssh_key_free(k);
        keys_ = std::exchange(other.keys_, {});
    }
    return *this;
}

HostKeys::~HostKeys() {
    for (auto* k : keys_) ssh_key_free(k);
}

HostKeys load_host_keys(const std::vector<std::string>& entries) {
    HostKeys keys;
    for (size_t i = 0; i < entries.size(); ++i) {
        const std::string key_path = "ssh.hostkeys[" + std::to_string(i) + "]";
        const std::string& entry = entries[i];
        ssh_key key = nullptr;
        // Inline key text is told from a file name as for every other PEM
        // value of the configuration (the SDK's is_inline_pem; --dump-config
        // redacts by the same test): blanks may come before the dashes, as a
        // YAML block scalar or a JSON string can leave them.
        // Testing only for a leading "-----" took "\n-----BEGIN ..." for a
        // file name and put the private key into the error message (found
        // by fuzz/pem_fuzz.cpp; regression input
        // fuzz/corpus/pem/hostkey-ed25519-leading-blank).
        if (csh::sdk::is_inline_pem(entry)) {
            const std::string text = entry.substr(entry.find_first_not_of(" \t\r\n"));
            if (ssh_pki_import_privkey_base64(text.c_str(), nullptr, nullptr, nullptr, &key) != SSH_OK) {
                throw HostKeyError(key_path, "the inline key is not a readable unencrypted private key");
            }
        } else {
            struct stat st {};
            if (::stat(entry.c_str(), &st) != 0) throw HostKeyError(key_path, "cannot read key file " + entry);
            if (ssh_pki_import_privkey_file(entry.c_str(), nullptr, nullptr, nullptr, &key) != SSH_OK) {
                throw HostKeyError(key_path, "cannot read " + entry + " as an unencrypted private key");
            }
        }
        const auto type = ssh_key_type(key);
        const bool supported = type == SSH_KEYTYPE_RSA || type == SSH_KEYTYPE_ED25519 ||
                               type == SSH_KEYTYPE_ECDSA_P256 || type == SSH_KEYTYPE_ECDSA_P384 ||
                               type == SSH_KEYTYPE_ECDSA_P521;
        if (!supported) {
            const char* name = ssh_key_type_to_char(type);
            ssh_key_free(key);
            throw HostKeyError(key_path, std::string("unsupported host key type ") + (name ? name : "unknown") +
                                             " (use RSA, ECDSA or Ed25519)");
        }
        keys.add(key);
    }
    return keys;
}

std::string sha256_fingerprint(ssh_key key) {
    unsigned char* hash = nullptr;
    size_t length = 0;
    if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &length) != SSH_OK) {
        throw std::runtime_error("the SSH library could not hash a host key");
    }
    char* text = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, length);
    ssh_clean_pubkey_hash(&hash);
    if (text == nullptr) throw std::runtime_error("the SSH library could not format a host key fingerprint");
    std::string fingerprint(text);
    ssh_string_free_char(text);
    return fingerprint;
}

bool fingerprints_match(const HostKeys& keys, const std::vector<std::string>& expected) {
    std::set<std::string> actual;
    for (ssh_key key : keys.keys()) actual.insert(sha256_fingerprint(key));
    return actual == std::set<std::string>(expected.begin(), expected.end());
}

ssh_key generate_host_key() {
    ssh_key key = nullptr;
    if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) != SSH_OK) {
        throw std::runtime_error("the SSH library could not generate an Ed25519 key");
    }
    return key;
}

bool write_private_key(ssh_key key, const std::filesystem::path& file) {
    const mode_t old = ::umask(077);
    const int rc = ssh_pki_export_privkey_file(key, nullptr, nullptr, nullptr, file.c_str());
    ::umask(old);
    return rc == SSH_OK;
}

}  // namespace csh::ssh
