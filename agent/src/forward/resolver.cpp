#include "resolver.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace csh::agent::forward {

namespace {

bool literal(std::string_view host, std::uint16_t port, Address& out) {
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

// Whole file into `out`; hosts files are small, 1 MiB is plenty.
bool read_small_file(const char* path, std::string& out) {
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    char buffer[8192];
    for (;;) {
        const ssize_t got = ::read(fd, buffer, sizeof(buffer));
        if (got <= 0 || out.size() > 1024 * 1024) break;
        out.append(buffer, static_cast<std::size_t>(got));
    }
    ::close(fd);
    return true;
}

// Every address /etc/hosts gives `host`, in file order (glibc's "multi on").
void from_hosts_file(std::string_view host, std::uint16_t port, std::vector<Address>& out) {
    const char* path = std::getenv(kHostsFileVariable);
    std::string text;
    if (!read_small_file(path != nullptr && *path != '\0' ? path : "/etc/hosts", text)) return;
    std::string_view rest = text;
    while (!rest.empty()) {
        std::size_t end = rest.find('\n');
        std::string_view line = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
        line = line.substr(0, line.find('#'));
        std::vector<std::string_view> fields;
        while (!line.empty()) {
            const std::size_t start = line.find_first_not_of(" \t\r");
            if (start == std::string_view::npos) break;
            line.remove_prefix(start);
            const std::size_t stop = line.find_first_of(" \t\r");
            fields.push_back(line.substr(0, stop));
            line = stop == std::string_view::npos ? std::string_view{} : line.substr(stop);
        }
        if (fields.size() < 2) continue;
        for (std::size_t i = 1; i < fields.size(); ++i) {
            Address address;
            if (same_name(fields[i], host) && literal(fields[0], port, address)) {
                out.push_back(address);
                break;
            }
        }
    }
}

}  // namespace

std::vector<Address> resolve(std::string_view host, std::uint16_t port, std::string& why) {
    std::vector<Address> out;
    Address address;
    if (literal(host, port, address)) {
        out.push_back(address);
        return out;
    }
    from_hosts_file(host, port, out);
    if (out.empty() && same_name(host, "localhost")) {
        // Images without /etc/hosts still know localhost.
        literal("127.0.0.1", port, address);
        out.push_back(address);
        literal("::1", port, address);
        out.push_back(address);
    }
    if (out.empty()) {
        why = "cannot resolve \"" + std::string(host) +
              "\": not an IP address, not localhost and not in the hosts file (DNS is not supported yet)";
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
