#include "socket_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace backend_local {

bool socket_address(const std::string& host, uint32_t port, sockaddr_storage& out, socklen_t& length) {
    const std::string literal = host == "localhost" ? "127.0.0.1" : host;
    std::memset(&out, 0, sizeof out);
    auto* v4 = reinterpret_cast<sockaddr_in*>(&out);
    if (inet_pton(AF_INET, literal.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(static_cast<uint16_t>(port));
        length = sizeof *v4;
        return true;
    }
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&out);
    if (inet_pton(AF_INET6, literal.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(static_cast<uint16_t>(port));
        length = sizeof *v6;
        return true;
    }
    return false;
}

bool bind_address(const std::string& host, uint32_t port, sockaddr_storage& out, socklen_t& length) {
    return socket_address(host.empty() || host == "*" ? "0.0.0.0" : host, port, out, length);
}

std::string peer_address(int fd, uint32_t& port) {
    sockaddr_storage peer{};
    socklen_t length = sizeof peer;
    port = 0;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) != 0) return {};
    char text[INET6_ADDRSTRLEN] = {};
    if (peer.ss_family == AF_INET) {
        const auto* v4 = reinterpret_cast<const sockaddr_in*>(&peer);
        port = ntohs(v4->sin_port);
        ::inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
    } else if (peer.ss_family == AF_INET6) {
        const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&peer);
        port = ntohs(v6->sin6_port);
        ::inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
    }
    return text;
}

}  // namespace backend_local
