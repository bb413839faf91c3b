#include "resolv_conf.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "config_file.hpp"

namespace csh::agent::forward {

namespace {

// "ndots:3" -> 3 with `name` "ndots:"; false when it is another option.
bool option_value(std::string_view option, std::string_view name, unsigned limit, unsigned& out) {
    if (option.substr(0, name.size()) != name) return false;
    unsigned value = 0;
    for (const char c : option.substr(name.size())) {
        if (c < '0' || c > '9') return false;
        value = std::min(limit, value * 10 + static_cast<unsigned>(c - '0'));
    }
    out = value;
    return true;
}

std::uint16_t server_port() {
    const char* text = std::getenv(kDnsPortVariable);
    if (text == nullptr) return 53;
    const long port = std::strtol(text, nullptr, 10);
    return port > 0 && port <= 65535 ? static_cast<std::uint16_t>(port) : 53;
}

// glibc's default search list without `search`/`domain`: the host name's
// domain.
std::vector<std::string> host_domain() {
    char name[256] = {};
    if (::gethostname(name, sizeof(name) - 1) != 0) return {};
    const std::string_view host = name;
    const std::size_t dot = host.find('.');
    if (dot == std::string_view::npos || dot + 1 == host.size()) return {};
    return {std::string(host.substr(dot + 1))};
}

std::string without_trailing_dot(std::string_view name) {
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    return std::string(name);
}

}  // namespace

ResolvConf parse_resolv_conf(std::string_view text, std::uint16_t port) {
    ResolvConf conf;
    bool search_set = false;
    for_each_line(text, "#;", [&](const std::vector<std::string_view>& fields) {
        const std::string_view keyword = fields[0];
        if (keyword == "nameserver" && fields.size() >= 2) {
            Address address;
            // A link-local server's "%scope" is not supported: such a line is skipped.
            if (conf.servers.size() < kMaxNameServers && ip_literal(fields[1], port, address)) {
                conf.servers.push_back(address);
            }
        } else if (keyword == "domain" || keyword == "search") {
            // The last of the two wins, as in glibc.
            search_set = true;
            conf.search.clear();
            for (std::size_t i = 1; i < fields.size() && conf.search.size() < kMaxSearchDomains; ++i) {
                if (keyword == "domain" && i > 1) break;
                const std::string domain = without_trailing_dot(fields[i]);
                if (!domain.empty()) conf.search.push_back(domain);
            }
        } else if (keyword == "options") {
            for (std::size_t i = 1; i < fields.size(); ++i) {
                unsigned value = 0;
                if (option_value(fields[i], "ndots:", kMaxNdots, value)) conf.ndots = value;
                if (option_value(fields[i], "timeout:", kMaxTimeoutSeconds, value)) conf.timeout_seconds = std::max(1u, value);
                if (option_value(fields[i], "attempts:", kMaxAttempts, value)) conf.attempts = std::max(1u, value);
            }
        }
    });
    if (conf.servers.empty()) {
        Address local;
        ip_literal("127.0.0.1", port, local);
        conf.servers.push_back(local);
    }
    if (!search_set) conf.search = host_domain();
    return conf;
}

ResolvConf read_resolv_conf() {
    std::string text;
    (void)read_config_file(kResolvConfVariable, "/etc/resolv.conf", text);
    return parse_resolv_conf(text, server_port());
}

std::vector<std::string> query_names(std::string_view name, const ResolvConf& conf) {
    std::vector<std::string> names;
    if (name.empty()) return names;
    if (name.back() == '.') {
        names.push_back(without_trailing_dot(name));
        return names;
    }
    const auto dots = static_cast<unsigned>(std::count(name.begin(), name.end(), '.'));
    const bool as_is_first = dots >= conf.ndots;
    if (as_is_first) names.emplace_back(name);
    for (const auto& domain : conf.search) names.push_back(std::string(name) + "." + domain);
    if (!as_is_first) names.emplace_back(name);
    return names;
}

}  // namespace csh::agent::forward
