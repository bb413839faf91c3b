#include "resolver.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include "config_file.hpp"

namespace csh::agent::forward {

bool ip_literal(std::string_view host, std::uint16_t port, Address& out) {
    // Bracketed IPv6, as an SSH client may pass it through.
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    char text[INET6_ADDRSTRLEN + 1];
    if (host.empty() || host.size() >= sizeof(text)) return false;
    std::memcpy(text, host.data(), host.size());
    text[host.size()] = '\0';
    out = Address{};
    auto* v4 = reinterpret_cast<sockaddr_in*>(&out.storage);
    if (::inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        out.length = sizeof(sockaddr_in);
        return true;
    }
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
    if (::inet_pton(AF_INET6, text, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        out.length = sizeof(sockaddr_in6);
        return true;
    }
    return false;
}

bool same_name(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

namespace {

// Every address the hosts file gives `host`, in file order (glibc's "multi on").
void from_hosts_file(std::string_view host, std::uint16_t port, std::vector<Address>& out) {
    std::string text;
    if (!read_config_file(kHostsFileVariable, "/etc/hosts", text)) return;
    for_each_line(text, "#", [&](const std::vector<std::string_view>& fields) {
        for (std::size_t i = 1; i < fields.size(); ++i) {
            Address address;
            if (same_name(fields[i], host) && ip_literal(fields[0], port, address)) {
                out.push_back(address);
                return;
            }
        }
    });
}

}  // namespace

std::vector<Address> resolve(std::string_view host, std::uint16_t port, std::string& why) {
    std::vector<Address> out;
    Address address;
    if (ip_literal(host, port, address)) {
        out.push_back(address);
        return out;
    }
    from_hosts_file(host, port, out);
    if (out.empty() && same_name(host, "localhost")) {
        // Images without /etc/hosts still know localhost.
        ip_literal("127.0.0.1", port, address);
        out.push_back(address);
        ip_literal("::1", port, address);
        out.push_back(address);
    }
    if (out.empty()) {
        why = "cannot resolve \"" + std::string(host) +
              "\": not an IP address, not localhost and not in the hosts file";
    }
    return out;
}

std::string address_text(const sockaddr_storage& address) {
    char text[INET6_ADDRSTRLEN] = "";
    if (address.ss_family == AF_INET) {
        ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&address)->sin_addr, text, sizeof(text));
    } else if (address.ss_family == AF_INET6) {
        ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&address)->sin6_addr, text, sizeof(text));
    }
    return text;
}

std::uint16_t address_port(const sockaddr_storage& address) {
    if (address.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
    if (address.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
    return 0;
}

}  // namespace csh::agent::forward
