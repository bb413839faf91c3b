#include "config/core_sections.hpp"

#include "config/fail.hpp"
#include "config/security_section.hpp"
#include "config/ssh_algorithms.hpp"
#include "config/typed_read.hpp"
#include "log/level.hpp"
#include "log/syslog_facility.hpp"

#include <csh/net/listen_address.hpp>

#include <algorithm>
#include <limits>

namespace csh::config::detail {
namespace {

using std::chrono::milliseconds;

constexpr std::int64_t kNanosPerMilli = 1'000'000;
constexpr std::int64_t kNanosPerSecond = 1'000'000'000;

std::string check_listen(const Value& value, const std::string& path) {
    std::string problem;
    if (!net::parse_listen_address(text_of(value), problem)) fail_at(value.position, path, problem);
    return text_of(value);
}

// RFC 4253 §4.2 as ContainerSSH checks it: ^SSH-2.0-[!-,.-~]+( [a-zA-Z0-9- _.]+)?$, at most 253 characters.
bool is_valid_server_version(std::string_view version) {
    constexpr std::string_view prefix = "SSH-2.0-";
    if (version.size() > 253 || version.substr(0, prefix.size()) != prefix) return false;
    version.remove_prefix(prefix.size());
    std::size_t space = version.find(' ');
    std::string_view software = version.substr(0, space);
    if (software.empty()) return false;
    for (char c : software) {
        if (c < '!' || c > '~' || c == '-') return false;
    }
    if (space == std::string_view::npos) return true;
    std::string_view comment = version.substr(space + 1);
    if (comment.empty()) return false;
    for (char c : comment) {
        bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                       c == ' ' || c == '_' || c == '.';
        if (!allowed) return false;
    }
    return true;
}

std::vector<std::string> check_algorithms(const Value& ssh, const AlgorithmFamily& family) {
    const std::string path = child_path("ssh", family.key);
    const Value& list = child(ssh, family.key);
    if (items_of(list, 0).empty()) fail_at(list.position, path, "name at least one " + std::string(family.description));
    std::vector<std::string> names;
    std::size_t index = 0;
    for (const ValuePtr& item : items_of(list, 0)) {
        if (!family.knows(item->text)) {
            fail_at(item->position, item_path(path, index),
                    "unknown " + std::string(family.description) + " \"" + item->text + "\"; known: " +
                        family.known_list());
        }
        names.push_back(item->text);
        ++index;
    }
    return names;
}

// 0 (off) or at least one second.
milliseconds check_interval(const Value& value, const std::string& path, const char* zero_means) {
    std::int64_t nanos = duration_of(value);
    if (nanos < 0 || (nanos != 0 && nanos < kNanosPerSecond)) {
        fail_at(value.position, path, std::string("must be 0 (") + zero_means + ") or at least 1s");
    }
    return milliseconds(nanos / kNanosPerMilli);
}

// OpenSSH's "start:rate:full", or one number N meaning N:100:N.
void read_max_startups(const Value& value, SshSettings& settings) {
    const std::string text = text_of(value);
    const auto bad = [&] {
        fail_at(value.position, "ssh.maxStartups",
                "must be \"start:rate:full\" (as OpenSSH's MaxStartups: 1 <= start <= full, rate 1..100) or one "
                "number; got " + describe(value));
    };
    std::vector<long> parts;
    std::size_t from = 0;
    for (;;) {
        const std::size_t colon = text.find(':', from);
        const std::string part = text.substr(from, colon == std::string::npos ? std::string::npos : colon - from);
        if (part.empty() || part.size() > 9 || part.find_first_not_of("0123456789") != std::string::npos) bad();
        parts.push_back(std::stol(part));
        if (colon == std::string::npos) break;
        from = colon + 1;
    }
    if (parts.size() == 1) parts = {parts[0], 100, parts[0]};
    if (parts.size() != 3 || parts[0] < 1 || parts[1] < 1 || parts[1] > 100 || parts[2] < parts[0]) bad();
    settings.max_startups_begin = static_cast<int>(parts[0]);
    settings.max_startups_rate = static_cast<int>(parts[1]);
    settings.max_startups_full = static_cast<int>(parts[2]);
}

void read_proxy_protocol(const Value& ssh, SshSettings& settings) {
    std::size_t index = 0;
    for (const ValuePtr& item : items_of(child(ssh, "proxyProtocolAllowedCIDRs"), 0)) {
        std::string problem;
        auto range = parse_address_range(item->text, problem);
        if (!range) fail_at(item->position, item_path("ssh.proxyProtocolAllowedCIDRs", index), problem);
        settings.proxy_protocol_allowed.push_back(std::move(*range));
        ++index;
    }
    const Value& timeout = child(ssh, "proxyProtocolHeaderTimeout");
    const std::int64_t nanos = duration_of(timeout);
    // Below a millisecond the header could never arrive; the specification
    // advises at least 3s, to cover a TCP retransmission.
    if (nanos < kNanosPerMilli) {
        fail_at(timeout.position, "ssh.proxyProtocolHeaderTimeout", "must be at least 1ms (3s or more is advised)");
    }
    settings.proxy_protocol_header_timeout = milliseconds(nanos / kNanosPerMilli);
    settings.proxy_protocol_required = bool_of(child(ssh, "proxyProtocolRequired"));
}

// Only the form ssh-keygen -l -E sha256 prints is accepted: an MD5 or
// otherwise mistyped entry would never match and refuse every start.
void read_host_key_fingerprints(const Value& list, SshSettings& settings) {
    constexpr std::string_view prefix = "SHA256:";
    std::size_t index = 0;
    for (const ValuePtr& item : items_of(list, 0)) {
        const std::string& text = item->text;
        const bool base64 = text.size() > prefix.size() &&
                            text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
                                                   prefix.size()) == std::string::npos;
        if (text.compare(0, prefix.size(), prefix) != 0 || !base64) {
            fail_at(item->position, item_path("ssh.hostKeyFingerprints", index),
                    "must be a fingerprint as ssh-keygen -l -E sha256 prints it (SHA256: and base64 without "
                    "padding); got " + describe(*item));
        }
        settings.host_key_fingerprints.push_back(text);
        ++index;
    }
}

SshSettings read_ssh(const Value& ssh) {
    SshSettings settings;
    settings.listen = check_listen(child(ssh, "listen"), "ssh.listen");

    const Value& version = child(ssh, "serverVersion");
    if (!is_valid_server_version(text_of(version))) {
        fail_at(version.position, "ssh.serverVersion",
                "must look like \"SSH-2.0-Name optional comment\" (RFC 4253 §4.2: no '-' or space in the name, "
                "comment of letters, digits, ' ', '-', '_', '.'; at most 253 characters)");
    }
    settings.server_version = text_of(version);
    settings.ciphers = check_algorithms(ssh, ciphers());
    settings.kex = check_algorithms(ssh, key_exchanges());
    settings.macs = check_algorithms(ssh, macs());
    settings.banner = text_of(child(ssh, "banner"));

    std::size_t index = 0;
    for (const ValuePtr& key : items_of(child(ssh, "hostkeys"), 0)) {
        if (key->text.empty()) fail_at(key->position, item_path("ssh.hostkeys", index), "a host key cannot be empty");
        settings.host_keys.push_back(key->text);
        ++index;
    }
    settings.client_alive_interval =
        check_interval(child(ssh, "clientAliveInterval"), "ssh.clientAliveInterval", "no keepalives");
    settings.client_alive_count_max = static_cast<int>(integer_of(child(ssh, "clientAliveCountMax")));
    settings.login_grace_time = check_interval(child(ssh, "loginGraceTime"), "ssh.loginGraceTime", "no limit");
    read_max_startups(child(ssh, "maxStartups"), settings);
    // Anything past INT_MAX means no practical limit: clamped rather than wrapped.
    settings.per_source_max_startups = static_cast<int>(
        std::min<std::int64_t>(integer_of(child(ssh, "perSourceMaxStartups")), std::numeric_limits<int>::max()));
    settings.idle_timeout = check_interval(child(ssh, "idleTimeout"), "ssh.idleTimeout", "off");
    settings.max_session_duration =
        check_interval(child(ssh, "maxSessionDuration"), "ssh.maxSessionDuration", "off");
    settings.timeout_warning = check_interval(child(ssh, "timeoutWarning"), "ssh.timeoutWarning", "no warning");
    read_proxy_protocol(ssh, settings);
    settings.drain_timeout = check_interval(child(ssh, "drainTimeout"), "ssh.drainTimeout", "close at once");
    read_host_key_fingerprints(child(ssh, "hostKeyFingerprints"), settings);
    return settings;
}

log::LogSettings read_log(const Value& section) {
    log::LogSettings settings;
    const Value& level = child(section, "level");
    auto parsed = log::parse_level(text_of(level));
    if (!parsed) {
        fail_at(level.position, "log.level",
                "unknown level " + describe(level) +
                    "; use debug, info, notice, warning, error, crit, alert, emerg or 7..0");
    }
    settings.level = *parsed;
    // The schema restricts format and destination to these values.
    settings.format = text_of(child(section, "format")) == "text" ? log::LogSettings::Format::text
                                                                   : log::LogSettings::Format::ljson;
    const std::string destination = text_of(child(section, "destination"));
    settings.destination = destination == "file"     ? log::LogSettings::Destination::file
                           : destination == "syslog" ? log::LogSettings::Destination::syslog
                                                     : log::LogSettings::Destination::stdout_;
    const Value& file = child(section, "file");
    settings.file = text_of(file);
    if (settings.destination == log::LogSettings::Destination::file && settings.file.empty()) {
        fail_at(file.position, "log.file", "name the log file (destination is file)");
    }

    const Value& syslog = child(section, "syslog");
    const Value& syslog_destination = child(syslog, "destination");
    settings.syslog.destination = text_of(syslog_destination);
    if (settings.syslog.destination.empty()) {
        fail_at(syslog_destination.position, "log.syslog.destination",
                "name the syslog socket (e.g. /dev/log) or host:port (UDP)");
    }
    const Value& facility = child(syslog, "facility");
    if (!log::syslog_facility(text_of(facility))) {
        fail_at(facility.position, "log.syslog.facility",
                "unknown facility " + describe(facility) + "; use one of " +
                    std::string(log::syslog_facility_names()));
    }
    settings.syslog.facility = text_of(facility);
    settings.syslog.tag = text_of(child(syslog, "tag"));
    settings.syslog.pid = bool_of(child(syslog, "pid"));
    return settings;
}

HealthSettings read_health(const Value& section) {
    HealthSettings settings;
    settings.enable = bool_of(child(section, "enable"));
    settings.listen = check_listen(child(section, "listen"), "health.listen");
    const Value& url = child(child(section, "client"), "url");
    settings.client_url = text_of(url);
    if (settings.client_url.rfind("http://", 0) != 0 && settings.client_url.rfind("https://", 0) != 0) {
        fail_at(url.position, "health.client.url", "must be an http:// or https:// URL");
    }
    return settings;
}

// The provider is checked by the schema (dummy or maxmind); the file is
// opened at start-up, where a missing one stops the server.
GeoIpSettings read_geoip(const Value& section) {
    GeoIpSettings settings;
    settings.provider = text_of(child(section, "provider"));
    const Value& file = child(section, "maxmind-geoip2-file");
    settings.maxmind_file = text_of(file);
    if (settings.provider == "maxmind" && settings.maxmind_file.empty()) {
        fail_at(file.position, "geoip.maxmind-geoip2-file", "name the MaxMind database file (provider is maxmind)");
    }
    return settings;
}

PluginSettings read_plugins(const Value& section) {
    PluginSettings settings;
    std::size_t index = 0;
    for (const ValuePtr& directory : items_of(child(section, "path"), 0)) {
        if (directory->text.empty()) {
            fail_at(directory->position, item_path("plugins.path", index), "a plugin directory cannot be empty");
        }
        settings.path.push_back(directory->text);
        ++index;
    }
    return settings;
}

void check_backend(const Value& root) {
    const Value& backend = child(root, "backend");
    if (text_of(backend).empty()) {
        fail_at(backend.position, "backend", "name a backend: docker, kubernetes, sshproxy or a third-party one");
    }
}

}  // namespace

CoreSettings read_core_sections(const Value& effective) {
    check_backend(effective);
    CoreSettings settings;
    settings.ssh = read_ssh(child(effective, "ssh"));
    settings.log = read_log(child(effective, "log"));
    settings.health = read_health(child(effective, "health"));
    settings.geoip = read_geoip(child(effective, "geoip"));
    settings.plugins = read_plugins(child(effective, "plugins"));
    settings.security = read_security(child(effective, "security"));
    return settings;
}

}  // namespace csh::config::detail
