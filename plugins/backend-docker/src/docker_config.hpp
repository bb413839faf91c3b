// The `docker` configuration section of backend-docker (reference §2.7):
//
//   docker:
//     connection: {host: unix:///var/run/docker.sock, cacert: "", cert: "", key: ""}
//     execution:
//       container: {image: containerssh/containerssh-guest-image}   # ContainerCreate Config
//       host: {}        # HostConfig          network: {}   # NetworkingConfig
//       platform: {}    # OCI platform        containername: ""
//       auth: {}        # registry credentials (Docker's AuthConfig)
//       mode: connection                      # connection | session
//       idleCommand: [...]  shellCommand: [/bin/bash]  agentPath: ...  disableAgent: false
//       subsystems: {sftp: /usr/lib/openssh/sftp-server}
//       imagePullPolicy: IfNotPresent         # Always | IfNotPresent | Never
//       exposeAuthMetadataAsEnv: false
//     timeouts: {containerStart: 60s, containerStop: 60s, commandStart: 60s, signal: 60s, window: 60s, http: 15s}
//
// The section is this plugin's alone: the core hands it over as the file
// (merged with a configuration server's answer) wrote it, and this unit owns
// its keys and their defaults (DockerConfig's initial values, the only copy):
// it refuses unknown keys and wrong values and turns the rest into checked
// values. Every problem is a csh::sdk::Error with the caller's code and a
// message naming the key path (docker.execution.mode), never the value:
// registry passwords and private keys live here.
#pragma once

#include <csh/loop_http/endpoint.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace backend_docker {

enum class ExecutionMode { connection, session };
enum class PullPolicy { always, if_not_present, never };

// The configuration spelling, for log lines: "connection", "IfNotPresent".
std::string_view mode_name(ExecutionMode mode);
std::string_view pull_policy_name(PullPolicy policy);

// docker.connection: where the Docker Engine API listens.
using EngineEndpoint = csh::loop_http::Endpoint;

struct DockerTimeouts {
    std::chrono::milliseconds container_start{60000};
    std::chrono::milliseconds container_stop{60000};
    std::chrono::milliseconds command_start{60000};
    std::chrono::milliseconds signal{60000};
    std::chrono::milliseconds window{60000};
    std::chrono::milliseconds http{15000};
};

struct DockerConfig {
    EngineEndpoint connection{EngineEndpoint::Kind::unix_socket, "/var/run/docker.sock"};
    // execution.container as one compact JSON object for ContainerCreate. Its
    // top-level keys carry Docker's spelling ("image" becomes "Image") so that
    // the plugin can replace Cmd, Env or Labels without a second, differently
    // cased key surviving; other keys and all values are kept as written,
    // except Healthcheck durations written as Go text ("10s"), which become
    // the nanosecond numbers the Engine API expects.
    std::string container_json = R"({"Image":"containerssh/containerssh-guest-image"})";
    std::string host_json;      // execution.host as written; "" when absent, null or {}
    std::string network_json;   // execution.network, likewise
    std::string platform_json;  // execution.platform, likewise
    std::string image = "containerssh/containerssh-guest-image";  // container's Image, never empty
    std::string container_name;  // execution.containername; "" lets Docker choose
    // execution.auth as Docker's AuthConfig JSON (keys username, password,
    // auth, email, serveraddress, identitytoken, registrytoken; empty ones
    // left out), "" when there are no credentials. SECRET: log nothing of it.
    std::string registry_auth_json;
    ExecutionMode mode = ExecutionMode::connection;
    std::vector<std::string> idle_command{"/usr/bin/containerssh-agent", "wait-signal", "--signal", "INT",
                                          "--signal", "TERM"};
    std::vector<std::string> shell_command{"/bin/bash"};
    std::string agent_path = "/usr/bin/containerssh-agent";
    bool disable_agent = false;
    std::map<std::string, std::string> subsystems{{"sftp", "/usr/lib/openssh/sftp-server"}};
    PullPolicy pull_policy = PullPolicy::if_not_present;
    bool expose_auth_metadata_as_env = false;
    DockerTimeouts timeouts;

    // ContainerSSH's defaults (the member initialisers above).
    static DockerConfig defaults();
    // `section_json` is the plugin's section (Host::config_section("docker")),
    // "null" when the file has none. Throws csh::sdk::Error(error_code).
    static DockerConfig from_section(std::string_view section_json, const char* error_code);
    // `config_json` is one connection's whole effective configuration (the
    // file merged with the config server's answer). Each key of its "docker"
    // member replaces the same key of `base`; a connection block present is
    // read as a whole (keys it lacks take their defaults). Returns `base`
    // when there is no "docker" member. Throws csh::sdk::Error(error_code).
    static DockerConfig from_effective_config(std::string_view config_json, const DockerConfig& base,
                                              const char* error_code);
};

}  // namespace backend_docker
