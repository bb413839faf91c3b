// What every connection of the SSH server shares.
#pragma once

#include "ssh/audit_streams.hpp"
#include "ssh/plugin_set.hpp"
#include "ssh/ssh_metrics.hpp"

#include <functional>
#include <memory>
#include <string>

namespace csh::host { class EventLoop; }
namespace csh::log { class Logger; }
namespace csh::config { class Config; }
namespace csh::geoip { class CountryLookup; }
namespace csh::security { class Policy; }

namespace csh::ssh {

class Connection;

struct ServerContext {
    host::EventLoop& loop;
    log::Logger& logger;
    const config::Config& config;
    PluginSet plugins;
    AuditIntercept intercept;
    // The file's effective configuration as JSON, computed once at start-up
    // for backends of connections without a configuration server.
    std::string effective_json;
    SshMetrics& metrics;
    // The country of each client, for metrics and the audit log.
    const geoip::CountryLookup& geoip;
    // Called on the connection's strand once a connection has fully ended.
    std::function<void(Connection&)> on_closed;
    // The file's security policy, for connections the configuration server
    // does not change (set by the Server).
    std::shared_ptr<const security::Policy> file_policy;
};

}  // namespace csh::ssh
