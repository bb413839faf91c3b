#include "ssh/client_env.hpp"

namespace csh::ssh {

namespace {

struct HostPort {
    std::string host;
    std::string port;
};

HostPort split(const std::string& address) {
    const auto colon = address.rfind(':');
    if (colon == std::string::npos) return {address, "0"};
    std::string host = address.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    return {host, address.substr(colon + 1)};
}

}  // namespace

ClientEnv client_env(const std::string& remote, const std::string& local) {
    const auto r = split(remote);
    const auto l = split(local);
    return {r.host + " " + r.port + " " + l.port, r.host + " " + r.port + " " + l.host + " " + l.port};
}

}  // namespace csh::ssh
