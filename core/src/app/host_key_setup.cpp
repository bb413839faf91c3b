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

}  // namespace

std::optional<ssh::HostKeys> setup_host_keys(config::Config& config, log::Logger& logger) {
    if (config.ssh().host_keys.empty()) return generate(config, logger);
    try {
        return ssh::load_host_keys(config.ssh().host_keys);
    } catch (const ssh::HostKeyError& e) {
        logger.log(codes::CORE_CONFIG_ERROR, e.what(), {{"key", e.key_path()}});
        return std::nullopt;
    }
}

}  // namespace csh::app
