// ContainerSSH's configuration file: read (YAML, or JSON for *.json),
// upgraded from older formats, checked key by key, defaults filled in.
// The core's own sections come out as typed settings; every plugin's
// section is handed over as JSON text. See docs/configuration.md.
//
// A Config is an immutable value: copies are cheap (the document is shared)
// and every const member may be called from any thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/address_range.hpp"
#include "config/config_error.hpp"
#include "config/security_settings.hpp"
#include "log/logger.hpp"

namespace csh::config {

namespace detail {
struct Value;
}

struct SshSettings {
    std::string listen = "0.0.0.0:2222";
    std::string server_version = "SSH-2.0-ContainerSSH";
    std::vector<std::string> ciphers;  // defaults: see docs/configuration.md
    std::vector<std::string> kex;
    std::vector<std::string> macs;
    std::string banner;
    // Each: inline PEM/OpenSSH key text (first non-blank characters "-----") or a file path, as written.
    std::vector<std::string> host_keys;
    std::chrono::milliseconds client_alive_interval{0};  // 0 = no keepalives
    int client_alive_count_max = 3;
    // ssh.loginGraceTime (ours); 0 = no limit.
    std::chrono::milliseconds login_grace_time{120000};
    // ssh.maxStartups (ours, OpenSSH's MaxStartups start:rate:full): from
    // `start` unauthenticated connections on, a new one is dropped with
    // probability `rate`% rising to 100% at `full`.
    int max_startups_begin = 100;
    int max_startups_rate = 30;
    int max_startups_full = 1000;
    // ssh.perSourceMaxStartups (ours, OpenSSH's PerSourceMaxStartups); 0 = no limit.
    int per_source_max_startups = 20;
    // ssh.idleTimeout and ssh.maxSessionDuration (ours); 0 = off. The
    // warning goes out ssh.timeoutWarning before either closes.
    std::chrono::milliseconds idle_timeout{0};
    std::chrono::milliseconds max_session_duration{0};
    std::chrono::milliseconds timeout_warning{60000};
    // ssh.proxyProtocolAllowedCIDRs: peers whose PROXY protocol header is
    // read and believed; empty = PROXY protocol off.
    std::vector<AddressRange> proxy_protocol_allowed;
    // ssh.proxyProtocolHeaderTimeout (ours): how long a trusted peer has to
    // send the whole header.
    std::chrono::milliseconds proxy_protocol_header_timeout{5000};
    // ssh.proxyProtocolRequired (ours): a trusted peer must send a header;
    // false serves a trusted peer that sends none as a direct client.
    bool proxy_protocol_required = true;
    // ssh.drainTimeout (ours): after SIGTERM the listener closes and open
    // connections have this long to end by themselves; 0 = close them at once.
    std::chrono::milliseconds drain_timeout{20000};
    // ssh.hostKeyFingerprints (ours): "SHA256:..." as ssh-keygen -l prints
    // them; when not empty the loaded host keys must have exactly these.
    std::vector<std::string> host_key_fingerprints;
};

struct HealthSettings {
    bool enable = false;
    std::string listen = "0.0.0.0:7000";
    std::string client_url = "http://127.0.0.1:7000/";
};

// ContainerSSH's geoip section: where the `country` of a client comes from.
struct GeoIpSettings {
    std::string provider = "dummy";  // "dummy" (always XX) or "maxmind"
    std::string maxmind_file = "/var/lib/GeoIP/GeoIP2-Country.mmdb";
};

// Our `plugins: {path: [dir, ...]}`: directories searched besides the install location.
struct PluginSettings {
    std::vector<std::string> path;
};

// A plugin the configuration selects: what it must provide, and the key
// that selects it (for the error when no plugin provides it).
struct ProviderRequirement {
    std::string provides;  // "backend/docker"
    std::string key_path;  // "backend"
};

class Config {
public:
    // All defaults (an empty file).
    Config();

    // Throws ConfigError; an unreadable file has key path "" and the OS error.
    static Config load(const std::filesystem::path& file);
    // `json` only names the format in messages: yaml-cpp reads both.
    static Config parse(std::string_view text, bool json, std::string source_name);

    const SshSettings& ssh() const { return ssh_; }
    const log::LogSettings& log() const { return log_; }
    const HealthSettings& health() const { return health_; }
    const GeoIpSettings& geoip() const { return geoip_; }
    const PluginSettings& plugins() const { return plugins_; }
    // The `security` section as written; security::Policy says what it means.
    const SecuritySettings& security() const { return security_; }
    // Empty for parse().
    const std::filesystem::path& file() const { return file_; }
    // Where the configuration came from, as errors name it.
    const std::string& source_name() const { return source_; }

    // Notes for the log about old keys that were accepted and rewritten
    // (each "<source>:<line>: <key>: <text>").
    const std::vector<std::string>& deprecations() const { return deprecations_; }

    // The plugins this configuration needs, each `provides` once.
    std::vector<ProviderRequirement> required_providers() const;

    // One top-level section as JSON text with defaults filled in; "null"
    // when the file has no such section and it has no defaults.
    std::string section_json(std::string_view top_level_key) const;
    // The whole effective configuration as one JSON object.
    std::string effective_json() const;
    // The effective configuration as YAML (--dump-config), secrets shown as "<redacted>".
    std::string dump_yaml() const;

    // Remembers a host key generated at start-up for this run.
    void add_host_key(const std::string& path_or_pem);
    // Adds `key_path` to ssh.hostkeys in the file on disk, atomically
    // ("<file>~" then rename). Keeps the operator's comments and layout for
    // the usual YAML shapes (no ssh section; ssh without hostkeys;
    // `hostkeys: []`), otherwise (and for JSON) writes the document anew.
    // Throws std::system_error if the file cannot be read or written.
    void persist_host_key(const std::string& key_path) const;

    // This configuration with a partial one (a JSON object, e.g. from a
    // configuration server) merged over it and checked again. Unlike
    // ContainerSSH, an explicit false, 0 or "" does override. Throws
    // ConfigError naming the key.
    Config merged_with(std::string_view partial_json, std::string source_name) const;

private:
    using Tree = std::shared_ptr<const detail::Value>;

    // Upgrades, checks and fills in `document`; throws ConfigError.
    Config(Tree document, std::string source, std::filesystem::path file, bool json,
           std::vector<std::string> deprecations);

    Tree document_;   // as written (after upgrading legacy keys)
    Tree effective_;  // document_ over the defaults
    std::string source_;
    std::filesystem::path file_;
    bool json_ = false;
    std::vector<std::string> deprecations_;
    SshSettings ssh_;
    log::LogSettings log_;
    HealthSettings health_;
    GeoIpSettings geoip_;
    PluginSettings plugins_;
    SecuritySettings security_;
};

}  // namespace csh::config
