// The sections the core itself uses (ssh, log, health, geoip, plugins, security), checked
// value by value and turned into settings. Plugins check their own sections.
#pragma once

#include "config/config.hpp"
#include "config/value.hpp"

namespace csh::config::detail {

struct CoreSettings {
    SshSettings ssh;
    log::LogSettings log;
    HealthSettings health;
    GeoIpSettings geoip;
    PluginSettings plugins;
    SecuritySettings security;
};

// `effective` is the whole configuration after the schema check, with
// defaults filled in. Throws ConfigError naming the key and its line.
CoreSettings read_core_sections(const Value& effective);

}  // namespace csh::config::detail
