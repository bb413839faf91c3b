// Opens connections to one HTTP server (an Endpoint) without blocking the
// loop: a unix socket or TCP connect completes through an fd
// watch, a host name is resolved on a short-lived thread, TLS is set up from
// the configured CA, certificate and key once, here, and shared by every
// connection.
#pragma once

#include <csh/loop_http/byte_stream.hpp>
#include <csh/loop_http/endpoint.hpp>

#include <containerssh/sdk/host.hpp>

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

namespace csh::loop_http {

// The endpoint's TLS material is unusable. The message says which part
// (cacert, cert and key), never its contents; the caller adds the
// configuration key and its own message code.
class TlsSetupError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Connector : public std::enable_shared_from_this<Connector> {
public:
    using Done = std::function<void(std::unique_ptr<ByteStream> stream, std::string error)>;

    // Throws TlsSetupError when the TLS material is unusable.
    static std::shared_ptr<Connector> create(csh::sdk::Host host, Endpoint endpoint);
    ~Connector();

    const Endpoint& endpoint() const { return endpoint_; }

    // [strand] Connects; `done` runs on `strand` exactly once, with a stream
    // or an error text naming what failed (never a secret).
    void connect(csh_strand* strand, Done done) const;

private:
    Connector(csh::sdk::Host host, Endpoint endpoint);

    csh::sdk::Host host_;
    Endpoint endpoint_;
    SSL_CTX* tls_ = nullptr;
};

}  // namespace csh::loop_http
