#include "ssh/socket_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

namespace csh::ssh {

std::string format_address(const std::string& ip, std::uint16_t port, bool ipv6) {
    return (ipv6 ? "[" + ip + "]" : ip) + ":" + std::to_string(port);
}

std::string format_address(const sockaddr_storage& address) {
    const bool ipv6 = address.ss_family == AF_INET6;
    const auto port = ipv6 ? reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port
                           : reinterpret_cast<const sockaddr_in*>(&address)->sin_port;
    return format_address(ip_only(address), ntohs(port), ipv6);
}

std::string ip_only(const sockaddr_storage& address) {
    char text[INET6_ADDRSTRLEN] = {};
    if (address.ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&address)->sin6_addr, text, sizeof text);
    } else {
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&address)->sin_addr, text, sizeof text);
    }
    return text;
}

std::string local_address_of(int fd) {
    sockaddr_storage local{};
    socklen_t len = sizeof local;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) != 0) return "0.0.0.0:0";
    return format_address(local);
}

}  // namespace csh::ssh
