// The host as one plugin sees it: a csh_host whose services (log, config,
// loop, metrics, audit) are backed by the process-wide objects.
#pragma once

#include <containerssh/plugin/host.h>

#include <map>
#include <mutex>
#include <string>

namespace boost::asio { class io_context; }
namespace csh::log { class Logger; }
namespace csh::config { class Config; }

namespace csh::host {

class MetricRegistry;

// The process-wide services every PluginHost forwards to.
struct Services {
    boost::asio::io_context& io;
    log::Logger& logger;
    const config::Config& config;
    MetricRegistry& metrics;
};

class PluginHost {
public:
    PluginHost(Services services, std::string plugin_id);
    PluginHost(const PluginHost&) = delete;
    PluginHost& operator=(const PluginHost&) = delete;

    const csh_host* c_host() const { return &host_; }
    static PluginHost& from(const csh_host* host);

    boost::asio::io_context& io() { return services_.io; }
    log::Logger& logger() { return services_.logger; }
    MetricRegistry& metrics() { return services_.metrics; }
    const std::string& plugin_id() const { return plugin_id_; }
    // The JSON text of a top-level section; the string lives as long as this host.
    csh_str section(const char* name);

private:
    Services services_;
    std::string plugin_id_;
    csh_host host_;
    std::mutex sections_mutex_;
    std::map<std::string, std::string> sections_;
};

}  // namespace csh::host
