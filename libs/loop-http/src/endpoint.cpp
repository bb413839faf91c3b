#include <csh/loop_http/endpoint.hpp>

namespace csh::loop_http {

namespace {

std::string host_and_port(const Endpoint& endpoint) {
    const bool ipv6 = endpoint.tcp_host.find(':') != std::string::npos;
    return (ipv6 ? "[" + endpoint.tcp_host + "]" : endpoint.tcp_host) + ":" + std::to_string(endpoint.tcp_port);
}

}  // namespace

std::string Endpoint::display() const {
    if (kind == Kind::unix_socket) return "unix://" + unix_path;
    return "tcp://" + host_and_port(*this);
}

std::string Endpoint::host_header() const { return kind == Kind::unix_socket ? "localhost" : host_and_port(*this); }

bool Endpoint::operator==(const Endpoint& other) const {
    return kind == other.kind && unix_path == other.unix_path && tcp_host == other.tcp_host &&
           tcp_port == other.tcp_port && tls == other.tls && cacert_pem == other.cacert_pem &&
           cert_pem == other.cert_pem && key_pem == other.key_pem && server_name == other.server_name;
}

}  // namespace csh::loop_http
