#include "health/health_endpoint.hpp"

#include <csh/http/http_server.hpp>

namespace csh::health {

HealthEndpoint::HealthEndpoint(std::string_view health_section_json, http::ProblemReporter report) {
    const auto settings = http::ServerSettings::from_json(health_section_json, "health");
    server_ = std::make_unique<http::HttpServer>(settings, [this](const http::Request&) {
        // The body is a JSON string, as ContainerSSH's health service writes it.
        if (ready_.load()) return http::Response{200, "application/json", "\"ok\""};
        return http::Response{503, "application/json", "\"not ok\""};
    }, std::move(report));
}

HealthEndpoint::~HealthEndpoint() = default;

std::string HealthEndpoint::address() const { return server_->address(); }

}  // namespace csh::health
