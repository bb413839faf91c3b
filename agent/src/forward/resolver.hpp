// Name resolution for the forward-server, without NSS: a static glibc binary
// cannot load NSS modules from a foreign image, and the Go agent never used
// them either (Go's own resolver). Here the synchronous part: IP literals,
// names in /etc/hosts and `localhost`. A dial to any other name continues
// with a non-blocking DNS lookup (dns_lookup.hpp) inside the server's loop.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace csh::agent::forward {

struct Address {
    sockaddr_storage storage{};
    socklen_t length = 0;
};

// Test-only: a hosts file to read instead of /etc/hosts.
inline constexpr const char* kHostsFileVariable = "CONTAINERSSH_AGENT_TEST_HOSTS_FILE";

// The addresses of `host` with `port`, in the order to try them. Empty when
// the name is none of the above; `why` then says so.
std::vector<Address> resolve(std::string_view host, std::uint16_t port, std::string& why);

// An IPv4 or IPv6 literal (IPv6 also in brackets) with `port`.
bool ip_literal(std::string_view host, std::uint16_t port, Address& out);
// DNS names compare without regard to ASCII case.
bool same_name(std::string_view a, std::string_view b);

// "1.2.3.4" / "::1" and the port of a socket address, for NEW_CONNECTION.
std::string address_text(const sockaddr_storage& address);
std::uint16_t address_port(const sockaddr_storage& address);

}  // namespace csh::agent::forward
