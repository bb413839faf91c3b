#include <csh/net/listen_address.hpp>

#include <arpa/inet.h>

#include <cctype>
#include <string>
#include <utility>

namespace csh::net {
namespace {

bool is_ip(int family, std::string_view text) {
    unsigned char buffer[16];
    return inet_pton(family, std::string(text).c_str(), buffer) == 1;
}

// RFC 1123 host name: dot-separated labels of letters, digits and '-',
// 1-63 characters each, not starting or ending with '-'; 253 at most.
bool is_host_name(std::string_view name) {
    if (name.empty() || name.size() > 253) return false;
    if (name.back() == '.') name.remove_suffix(1);  // a fully qualified name may end in a dot
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t end = name.find('.', start);
        if (end == std::string_view::npos) end = name.size();
        std::string_view label = name.substr(start, end - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
        for (unsigned char c : label) {
            if (!std::isalnum(c) && c != '-') return false;
        }
        start = end + 1;
    }
    return true;
}

bool looks_like_ipv4(std::string_view host) {
    for (unsigned char c : host) {
        if (!std::isdigit(c) && c != '.') return false;
    }
    return true;
}

}  // namespace

namespace {

// What is wrong with `address`, or nullopt when it is well formed; `host` and
// `port` are set to its parts either way.
std::optional<std::string> problem_of(std::string_view address, std::string_view& host, std::string_view& port) {
    if (!address.empty() && address.front() == '[') {
        std::size_t close = address.find(']');
        if (close == std::string_view::npos) return "the IPv6 address has no closing ']'";
        host = address.substr(1, close - 1);
        if (close + 1 >= address.size() || address[close + 1] != ':') {
            return "expected [IPv6 address]:port, e.g. [::]:2222";
        }
        port = address.substr(close + 2);
        if (!is_ip(AF_INET6, host)) return "\"" + std::string(host) + "\" is not an IPv6 address";
    } else {
        std::size_t colon = address.rfind(':');
        if (colon == std::string_view::npos) return "expected host:port, e.g. 0.0.0.0:2222";
        host = address.substr(0, colon);
        port = address.substr(colon + 1);
        if (host.empty()) return "the host is missing; use 0.0.0.0:<port> (all IPv4 interfaces) or [::]:<port>";
        if (host.find(':') != std::string_view::npos) {
            return "an IPv6 address must be written in brackets, e.g. [::1]:2222";
        }
        if (looks_like_ipv4(host)) {
            if (!is_ip(AF_INET, host)) return "\"" + std::string(host) + "\" is not an IPv4 address";
        } else if (!is_host_name(host)) {
            return "\"" + std::string(host) + "\" is neither an IP address nor a host name";
        }
    }
    if (port.empty() || port.size() > 5) return "the port must be a number from 0 (any free port) to 65535";
    long number = 0;
    for (unsigned char c : port) {
        if (!std::isdigit(c)) return "the port must be a number from 0 (any free port) to 65535";
        number = number * 10 + (c - '0');
    }
    // Port 0 asks the kernel for a free port; the one chosen is logged by the server.
    if (number > 65535) {
        return "the port must be a number from 0 (any free port) to 65535, found " + std::string(port);
    }
    return std::nullopt;
}

}  // namespace

std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string& problem) {
    std::string_view host;
    std::string_view port;
    if (auto wrong = problem_of(text, host, port)) {
        problem = std::move(*wrong);
        return std::nullopt;
    }
    return ListenAddress{std::string(host), static_cast<std::uint16_t>(std::stoul(std::string(port)))};
}

std::optional<ListenAddress> parse_server_address(std::string_view text, std::string& problem) {
    std::string_view host;
    std::optional<std::string_view> port;
    if (!text.empty() && text.front() == '[') {
        const std::size_t close = text.find(']');
        if (close == std::string_view::npos) {
            problem = "an IPv6 address opened with [ lacks its ]";
            return std::nullopt;
        }
        host = text.substr(1, close - 1);
        if (host.find(':') == std::string_view::npos) {
            problem = "expected an IPv6 address between [ and ]";
            return std::nullopt;
        }
        const std::string_view after = text.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') {
                problem = "expected :port after the bracketed IPv6 address";
                return std::nullopt;
            }
            port = after.substr(1);
        }
    } else {
        const std::size_t colon = text.find(':');
        if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
            problem = "an IPv6 address needs brackets, as in [fd00::1]:443";
            return std::nullopt;
        }
        host = text.substr(0, colon);
        if (colon != std::string_view::npos) port = text.substr(colon + 1);
    }
    if (host.empty()) {
        problem = "expected a host name or address";
        return std::nullopt;
    }
    ListenAddress address{std::string(host), 0};
    if (!port) return address;
    unsigned long number = 0;
    bool valid = !port->empty() && port->size() <= 5;
    for (char c : *port) {
        valid = valid && c >= '0' && c <= '9';
        if (valid) number = number * 10 + static_cast<unsigned long>(c - '0');
    }
    if (!valid || number == 0 || number > 65535) {
        problem = "expected a port number from 1 to 65535 after ':'";
        return std::nullopt;
    }
    address.port = static_cast<std::uint16_t>(number);
    return address;
}

}  // namespace csh::net
