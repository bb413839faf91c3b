// A small HTTP(S) server for the endpoints ContainerSSH serves besides SSH:
// the core's health check and the Prometheus metrics plugin. It reads
// ContainerSSH's HTTP server block (listen, cert, key, clientcacert,
// tlsVersion, curves, cipher), serves with TLS (and client certificates)
// when a certificate is configured, and hands each request to one handler.
// Poco's HTTPServer does the HTTP; requests run on its threads.
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace csh::http {

// The TLS half of the server block. Certificate and key values are PEM text
// or a file name, as written in the configuration.
struct ServerTlsSettings {
    std::string cert;           // empty: plain HTTP
    std::string key;            // secret: never logged
    std::string client_ca_cert;  // set: clients must present a certificate it signed
    std::string tls_version = "1.3";  // minimum: "1.2" or "1.3"
    // ContainerSSH (Go) names; defaults are ContainerSSH's.
    std::vector<std::string> curves{"x25519", "secp256r1", "secp384r1", "secp521r1"};
    std::vector<std::string> ciphers{"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                                     "TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                                     "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"};
};

struct ServerSettings {
    std::string listen;  // "HOST:PORT", "[v6]:PORT"; port 0 picks a free one
    ServerTlsSettings tls;

    // Reads the server block keys from the JSON text of a section (other
    // keys, such as `enable` or `path`, are ignored). `section` names the
    // section in errors ("metrics", "health"). Throws SettingsError naming
    // the key path for a value that is invalid: an unknown tlsVersion,
    // curve or cipher, a key without a cert or the reverse, a cert or key
    // file that cannot be read (its contents never appear in the error).
    // A listen that is not HOST:PORT is an error too; an absent one leaves
    // `listen` empty (see the overload below). A cert, key or clientcacert
    // file is read here, so the settings hold PEM text afterwards.
    static ServerSettings from_json(std::string_view section_json, std::string_view section);
    // The same, with the service's own default listen address
    // ("0.0.0.0:9100" for metrics, "0.0.0.0:7000" for health).
    static ServerSettings from_json(std::string_view section_json, std::string_view section,
                                    const std::string& default_listen);
};

class SettingsError : public std::runtime_error {
public:
    SettingsError(std::string key_path, const std::string& message)
        : std::runtime_error(message), key_path_(std::move(key_path)) {}
    const std::string& key_path() const { return key_path_; }

private:
    std::string key_path_;
};

// The server could not start: the address is unusable (in use, not local)
// or the TLS material was rejected. what() names the address and the cause.
class StartError : public std::runtime_error {
public:
    StartError(const std::string& message, bool address_in_use, bool tls_rejected = false)
        : std::runtime_error(message), address_in_use_(address_in_use), tls_rejected_(tls_rejected) {}
    bool address_in_use() const { return address_in_use_; }
    // The certificate, key, client CA, curves or cipher suites were refused
    // (what() names the setting); the address was not tried.
    bool tls_rejected() const { return tls_rejected_; }

private:
    bool address_in_use_;
    bool tls_rejected_;
};

struct Request {
    std::string method;  // "GET", ...
    std::string path;    // without the query string
    std::vector<std::pair<std::string, std::string>> headers;
    std::string client;  // "IP:PORT" of the peer

    // The value of a header (case-insensitive name), empty when absent.
    std::string header(std::string_view name) const;
};

struct Response {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;  // not sent for HEAD (Content-Length still says its size)
    std::vector<std::pair<std::string, std::string>> headers;  // more headers, e.g. {"Allow", "GET, HEAD"}
};

// [any-thread] Called on one of the server's threads, possibly several at
// once. Should not throw: an exception becomes a 500 and is reported.
using Handler = std::function<Response(const Request&)>;

// Something went wrong while serving one request, with nobody to answer to
// but the log: the handler threw (the client got a 500), or the answer could
// not be written (the client left first).
struct ServeProblem {
    enum class Kind { handler_failed, write_failed };
    Kind kind;
    std::string message;  // the cause, never a request header
    std::string path;
    std::string client;   // "IP:PORT"
};
// [any-thread] Must not throw.
using ProblemReporter = std::function<void(const ServeProblem&)>;

// Each server serves on at most 16 threads (Poco's HTTPServer: one per
// connection while it is kept alive); further connections wait in a queue of
// 64. A request with a body gets its answer and then the connection closes,
// since the handler never reads bodies.
class HttpServer {
public:
    // Binds, starts serving and returns. Throws StartError. `report` hears
    // of every problem serving a request; none: they go unnoticed.
    HttpServer(const ServerSettings& settings, Handler handler, ProblemReporter report = {});
    // Stops accepting, finishes requests in progress, then returns.
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // The bound address with the real port, e.g. "127.0.0.1:9100".
    std::string address() const;
    // Whether it serves HTTPS.
    bool tls() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace csh::http
