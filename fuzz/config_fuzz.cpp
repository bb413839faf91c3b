// The configuration: a ContainerSSH file (YAML, or JSON read as YAML) and a
// configuration server's answer merged over a file, as the core reads them
// (Config::parse, Config::merged_with) and then uses them (the effective
// JSON handed to plugins, --dump-config, the plugins required, the security
// policy). Bad input must end in ConfigError, the one exception the core
// expects (app.cpp at start-up, connection_prepare.cpp per connection).
//
// First byte: 'm' = the rest is a configuration server's `config` object
// merged over a full file; 'j' = the rest is a file named .json; anything
// else = the rest is a YAML file.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "security/policy.hpp"

namespace {

using csh::config::Config;
using csh::config::ConfigError;

constexpr std::string_view kTopLevel[] = {"ssh",   "log",     "auth",   "configserver", "backend", "docker",
                                          "kubernetes", "audit", "metrics", "health",      "security", "geoip"};

// The file a configuration server's answer is merged over: every core
// section and the usual plugin sections set.
constexpr std::string_view kBaseFile = R"(
ssh:
  listen: 127.0.0.1:2222
  hostkeys: []
  clientAliveInterval: 30s
log:
  level: info
  format: ljson
auth:
  password:
    method: webhook
    webhook:
      url: http://127.0.0.1:8080
      timeout: 2s
configserver:
  url: http://127.0.0.1:8080/config
backend: docker
docker:
  connection:
    host: unix:///var/run/docker.sock
  execution:
    mode: connection
    container:
      image: containerssh/containerssh-guest-image
security:
  defaultMode: enable
  env:
    mode: filter
    allow: [TERM, LANG]
  maxSessions: 4
)";

void use(const Config& config) {
    (void)config.effective_json();
    (void)config.dump_yaml();
    (void)config.required_providers();
    for (std::string_view key : kTopLevel) (void)config.section_json(key);
    const csh::security::Policy policy(config.security());
    (void)policy;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    if (data[0] == 'm') {
        static const Config base = Config::parse(kBaseFile, false, "base.yaml");
        try {
            use(base.merged_with(text, "configuration server response"));
        } catch (const ConfigError&) {
        }
    } else {
        try {
            use(Config::parse(text, data[0] == 'j', "fuzz.yaml"));
        } catch (const ConfigError&) {
        }
    }
    return 0;
}
