// Opens connections to the Docker engine named by docker.connection, without
// blocking the loop: a unix socket or TCP connect completes through an fd
// watch, a host name is resolved on a short-lived thread, TLS is set up from
// the configured CA, certificate and key once, here, and shared by every
// connection.
#pragma once

#include "docker_config.hpp"
#include "engine/engine_stream.hpp"

#include <containerssh/sdk/host.hpp>

#include <functional>
#include <memory>
#include <string>

namespace backend_docker {

class EngineConnector : public std::enable_shared_from_this<EngineConnector> {
public:
    using Done = std::function<void(std::unique_ptr<EngineStream> stream, std::string error)>;

    // Throws csh::sdk::Error (DOCKER_CONFIG_ERROR) when the TLS material is
    // unusable; the message names the key, never the key's contents.
    static std::shared_ptr<EngineConnector> create(csh::sdk::Host host, EngineEndpoint endpoint);
    ~EngineConnector();

    const EngineEndpoint& endpoint() const { return endpoint_; }
    // Host header value for HTTP requests.
    std::string host_header() const;

    // [strand] Connects; `done` runs on `strand` exactly once, with a stream
    // or an error text naming what failed (never a secret).
    void connect(csh_strand* strand, Done done) const;

private:
    EngineConnector(csh::sdk::Host host, EngineEndpoint endpoint);

    csh::sdk::Host host_;
    EngineEndpoint endpoint_;
    SSL_CTX* tls_ = nullptr;
};

}  // namespace backend_docker
