#include "ssh/connection_id.hpp"

#include <sys/random.h>

#include <array>
#include <cstdint>
#include <stdexcept>

namespace csh::ssh {

std::string new_connection_id() {
    std::array<uint8_t, 16> bytes{};
    size_t filled = 0;
    while (filled < bytes.size()) {
        const ssize_t n = getrandom(bytes.data() + filled, bytes.size() - filled, 0);
        if (n < 0) throw std::runtime_error("getrandom failed");
        filled += static_cast<size_t>(n);
    }
    // UUIDv4 version and variant bits, as ContainerSSH's ids carry them.
    bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0f) | 0x40);
    bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3f) | 0x80);
    static const char* hex = "0123456789abcdef";
    std::string id;
    id.reserve(32);
    for (uint8_t b : bytes) {
        id += hex[b >> 4];
        id += hex[b & 0xf];
    }
    return id;
}

}  // namespace csh::ssh
