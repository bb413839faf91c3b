// The client's address without the port, as the backends label their
// containers and pods with it: "1.2.3.4:5678" -> "1.2.3.4",
// "[::1]:5678" -> "::1".
#pragma once

#include <string>
#include <string_view>

namespace csh::backend_support {

inline std::string remote_ip(std::string_view address) {
    if (!address.empty() && address.front() == '[') {
        const size_t end = address.find(']');
        return std::string(address.substr(1, end == std::string_view::npos ? std::string_view::npos : end - 1));
    }
    const size_t colon = address.rfind(':');
    return std::string(colon == std::string_view::npos ? address : address.substr(0, colon));
}

}  // namespace csh::backend_support
