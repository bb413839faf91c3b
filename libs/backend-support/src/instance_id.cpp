#include <csh/backend_support/instance_id.hpp>

#include <containerssh/sdk/json_config.hpp>

#include <unistd.h>

#include <climits>
#include <cstdint>
#include <cstdio>
#include <random>

namespace csh::backend_support {

namespace {

std::string listen_address(const csh::sdk::Host& host, const char* code) {
    try {
        csh::sdk::JsonConfig ssh(host.config_section("ssh"), code, "ssh");
        const csh::sdk::ConfigNode root = ssh.root();
        return root.is_object() ? root.string("listen", "") : "";
    } catch (const csh::sdk::Error&) {
        return "";
    }
}

// Port 0 means a new port every run: the identity must not repeat either,
// or two test gateways on one machine would collect each other's.
std::string identity(const std::string& listen) {
    if (listen.size() < 2 || listen.compare(listen.size() - 2, 2, ":0") != 0) return listen;
    std::random_device random;
    return listen + "#" + std::to_string(::getpid()) + "-" + std::to_string(random()) + std::to_string(random());
}

std::string host_name() {
    char name[HOST_NAME_MAX + 1] = {};
    return ::gethostname(name, sizeof name - 1) == 0 ? std::string(name) : std::string("localhost");
}

}  // namespace

std::string instance_id_for(const std::string& hostname, const std::string& identity) {
    // FNV-1a: a stable short name, not a secret.
    uint64_t hash = 1469598103934665603ull;
    for (unsigned char c : hostname + "|" + identity) {
        hash ^= c;
        hash *= 1099511628211ull;
    }
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
    return text;
}

std::string gateway_instance_id(const csh::sdk::Host& host, const char* config_error_code) {
    return instance_id_for(host_name(), identity(listen_address(host, config_error_code)));
}

}  // namespace csh::backend_support
