#include "app/host_key_setup.hpp"

#include "config/config.hpp"
#include "log/codes.hpp"
#include "log/logger.hpp"

namespace csh::app {

namespace {

constexpr const char* kGeneratedKeyName = "ssh_host_ed25519_key";

std::optional<ssh::HostKeys> generate(config::Config& config, log::Logger& logger) {
    logger.log(codes::CORE_NO_HOST_KEYS, "");
    ssh::HostKeys keys;
    ssh_key key = nullptr;
    try {
        key = ssh::generate_host_key();
    } catch (const std::exception& e) {
        logger.log(codes::CORE_HOST_KEY_GENERATION_FAILED, e.what());
        return std::nullopt;
    }
    keys.add(key);
    const auto dir = config.file().has_parent_path() ? config.file().parent_path() : std::filesystem::path(".");
    const auto file = std::filesystem::absolute(dir / kGeneratedKeyName);
    if (!ssh::write_private_key(key, file)) {
        logger.log(codes::CORE_CONFIG_CANNOT_WRITE_FILE, "cannot write the generated key", {{"file", file.string()}});
        return keys;
    }
    try {
        config.persist_host_key(file.string());
        config.add_host_key(file.string());
    } catch (const std::exception& e) {
        logger.log(codes::CORE_CONFIG_CANNOT_WRITE_FILE, e.what(), {{"file", config.file().string()}});
    }
    return keys;
}

std::optional<ssh::HostKeys> load_or_generate(config::Config& config, log::Logger& logger) {
    if (config.ssh().host_keys.empty()) return generate(config, logger);
    try {
        return ssh::load_host_keys(config.ssh().host_keys);
    } catch (const ssh::HostKeyError& e) {
        logger.log(codes::CORE_CONFIG_ERROR, e.what(), {{"key", e.key_path()}});
        return std::nullopt;
    }
}

}  // namespace

std::optional<ssh::HostKeys> setup_host_keys(config::Config& config, log::Logger& logger) {
    auto keys = load_or_generate(config, logger);
    const auto& expected = config.ssh().host_key_fingerprints;
    if (!keys || expected.empty()) return keys;
    // Replicas behind one address must present one key set, or clients see
    // a changed host key depending on the replica they reach. Fingerprints
    // are public: the line names both sets.
    const auto list = [](const std::vector<std::string>& names) {
        std::string text;
        for (const auto& name : names) text += (text.empty() ? "" : ",") + name;
        return text;
    };
    std::vector<std::string> actual;
    try {
        for (ssh_key key : keys->keys()) actual.push_back(ssh::sha256_fingerprint(key));
        if (ssh::fingerprints_match(*keys, expected)) return keys;
    } catch (const std::runtime_error& e) {
        logger.log(codes::CORE_HOST_KEY_FINGERPRINT_MISMATCH, e.what(), {{"expected", list(expected)}});
        return std::nullopt;
    }
    logger.log(codes::CORE_HOST_KEY_FINGERPRINT_MISMATCH,
               "the host keys' fingerprints are " + list(actual) + "; ssh.hostKeyFingerprints expects " +
                   list(expected),
               {{"expected", list(expected)}, {"actual", list(actual)}});
    return std::nullopt;
}

}  // namespace csh::app
