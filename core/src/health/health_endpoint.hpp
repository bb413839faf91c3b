// The health endpoint (ContainerSSH's `health` section): any path answers
// "ok" (200) while the server runs and "not ok" (503) while it starts and
// from the moment it is asked to stop, so a load balancer or a Kubernetes
// probe takes the instance out before its connections close.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include <csh/http/http_server.hpp>

namespace csh::health {

class HealthEndpoint {
public:
    // [control] Serves "not ok" on the server block of `health_section_json`
    // (listen, cert, key, clientcacert, tlsVersion, curves, cipher). Throws
    // csh::http::SettingsError (naming the key) or csh::http::StartError.
    // `report` hears of answers that could not be written.
    HealthEndpoint(std::string_view health_section_json, http::ProblemReporter report);
    ~HealthEndpoint();
    HealthEndpoint(const HealthEndpoint&) = delete;
    HealthEndpoint& operator=(const HealthEndpoint&) = delete;

    // [any-thread] Whether the server is ready for new connections.
    void set_ready(bool ready) { ready_.store(ready); }
    // The bound address, e.g. "0.0.0.0:7000".
    std::string address() const;

private:
    std::atomic<bool> ready_{false};
    std::unique_ptr<http::HttpServer> server_;
};

}  // namespace csh::health
