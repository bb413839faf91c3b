// A scripted HTTP(S) server for tests of webhook clients: it answers each path
// with the responses a test scripts, records every request it receives, and
// counts TCP connections so a test can check keep-alive reuse. It listens on
// 127.0.0.1 with an ephemeral port and serves on Poco's threads; every member
// function is safe to call while requests are being served.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace csh::test {

struct RecordedRequest {
    std::string method;
    std::string path;  // without the query string
    std::string body;
    std::map<std::string, std::string> headers;  // lower-case names; repeated headers joined with ", "
    // Subject of the client certificate, attributes comma-separated in
    // certificate order ("O=ContainerSSH test,CN=csh-test-client"); empty
    // when the client sent none.
    std::string client_certificate_subject;
};

struct ScriptedResponse {
    int status = 200;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    std::chrono::milliseconds delay{0};  // before answering; cut short when the server stops
    bool hang = false;                   // accept and never answer until the server stops
};

struct TlsFiles {
    std::string cert_file;
    std::string key_file;
    std::string client_ca_file;  // empty: no client certificate requested
};

class HttpTestServer {
public:
    // Binds 127.0.0.1 on an ephemeral port and starts serving; with `tls`,
    // serves HTTPS, and requires a client certificate signed by
    // tls->client_ca_file when that is set.
    explicit HttpTestServer(std::optional<TlsFiles> tls = std::nullopt);
    // Stops promptly, even with hanging or delayed requests in flight.
    ~HttpTestServer();
    HttpTestServer(const HttpTestServer&) = delete;
    HttpTestServer& operator=(const HttpTestServer&) = delete;

    std::uint16_t port() const;
    // "http://127.0.0.1:PORT" or "https://127.0.0.1:PORT", no trailing slash.
    std::string url() const;

    // The answer to every request for `path` (exact match, query ignored).
    void respond(const std::string& path, ScriptedResponse response);
    // One answer per request for `path`, in order; the last one repeats.
    void respond_sequence(const std::string& path, std::vector<ScriptedResponse> responses);

    // Every request in arrival order, or only those for `path` when given.
    std::vector<RecordedRequest> requests(const std::string& path = "") const;
    // TCP connections accepted so far.
    std::size_t connections_accepted() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace csh::test
