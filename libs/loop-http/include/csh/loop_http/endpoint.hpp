// Where an HTTP API listens and how to reach it: a unix socket, or TCP with
// or without TLS. The Docker backend fills it from docker.connection.
#pragma once

#include <cstdint>
#include <string>

namespace csh::loop_http {

struct Endpoint {
    enum class Kind { unix_socket, tcp } kind = Kind::unix_socket;
    std::string unix_path;
    // The host is kept without the brackets of an IPv6 literal, ready for
    // getaddrinfo.
    std::string tcp_host;
    uint16_t tcp_port = 0;
    // TLS over TCP. With no cacert_pem the system's trust store verifies the
    // server.
    bool tls = false;
    // PEM text, empty when not set. cert and key are either both set or both
    // empty.
    std::string cacert_pem, cert_pem, key_pem;
    // The name the server's certificate must carry; empty means tcp_host.
    std::string server_name;

    // "unix:///var/run/docker.sock" or "tcp://host:port" ("tcp://[::1]:2376"),
    // for log lines; holds nothing secret.
    std::string display() const;
    // The Host header of a request: host:port, or "localhost" on a unix
    // socket (HTTP/1.1 requires one; servers behind a socket ignore it).
    std::string host_header() const;

    // Same server reached the same way (address, TLS and its material), so
    // one client may serve both; display() alone does not show TLS.
    bool operator==(const Endpoint& other) const;
    bool operator!=(const Endpoint& other) const { return !(*this == other); }
};

}  // namespace csh::loop_http
