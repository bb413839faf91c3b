#include "listen_address.hpp"

namespace csh::http::detail {

std::optional<ListenAddress> parse_listen(std::string_view text) {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::string_view host = text.substr(0, colon);
    const std::string_view port = text.substr(colon + 1);

    if (port.empty() || port.size() > 5) return std::nullopt;
    unsigned long number = 0;
    for (char c : port) {
        if (c < '0' || c > '9') return std::nullopt;
        number = number * 10 + static_cast<unsigned long>(c - '0');
    }
    if (number > 65535) return std::nullopt;

    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
        if (host.find(':') == std::string_view::npos) return std::nullopt;  // brackets are for IPv6 only
    } else if (host.find_first_of(":[]") != std::string_view::npos) {
        return std::nullopt;  // an IPv6 address needs brackets, or the port is ambiguous
    }
    return ListenAddress{host.empty() ? std::string("0.0.0.0") : std::string(host), static_cast<std::uint16_t>(number)};
}

}  // namespace csh::http::detail
