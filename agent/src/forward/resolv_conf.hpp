// /etc/resolv.conf as glibc's stub resolver reads it, for forward-server's
// own DNS lookups (a static binary cannot use the image's NSS modules).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "resolver.hpp"

namespace csh::agent::forward {

// Test-only: a resolv.conf to read instead of /etc/resolv.conf, and the port
// its name servers listen on (resolv.conf has no syntax for one).
inline constexpr const char* kResolvConfVariable = "CONTAINERSSH_AGENT_TEST_RESOLV_CONF";
inline constexpr const char* kDnsPortVariable = "CONTAINERSSH_AGENT_TEST_DNS_PORT";

// glibc's limits (resolv.h: MAXNS, MAXDNSRCH, RES_MAXNDOTS, RES_MAXRETRANS,
// RES_MAXRETRY) and defaults (RES_DFLRETRY, RES_TIMEOUT, ndots 1).
inline constexpr std::size_t kMaxNameServers = 3;
inline constexpr std::size_t kMaxSearchDomains = 6;
inline constexpr unsigned kMaxNdots = 15;
inline constexpr unsigned kMaxTimeoutSeconds = 30;
inline constexpr unsigned kMaxAttempts = 5;

struct ResolvConf {
    std::vector<Address> servers;      // port 53 (or the test port)
    std::vector<std::string> search;   // without trailing dots
    unsigned ndots = 1;
    unsigned timeout_seconds = 5;
    unsigned attempts = 2;
};

// Reads the file; a missing file or one without `nameserver` lines means
// the local server, 127.0.0.1, as glibc assumes.
ResolvConf read_resolv_conf();
ResolvConf parse_resolv_conf(std::string_view text, std::uint16_t port);

// The names to ask for, in glibc's order: a name with at least ndots dots
// as is first, then with each search domain; one with fewer dots with the
// search domains first; a name ending in '.' only as is (without the dot).
std::vector<std::string> query_names(std::string_view name, const ResolvConf& conf);

}  // namespace csh::agent::forward
