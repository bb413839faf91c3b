#include "docker_config.hpp"

#include <containerssh/sdk/go_duration.hpp>
#include <containerssh/sdk/config_setting.hpp>
#include <containerssh/sdk/json_config.hpp>
#include <containerssh/sdk/json_writer.hpp>
#include <containerssh/sdk/pem_source.hpp>
#include <containerssh/sdk/types.hpp>
#include <csh/net/listen_address.hpp>

#include <simdjson.h>
#include <sys/un.h>

#include <cmath>
#include <optional>
#include <utility>

namespace backend_docker {
namespace {

using csh::sdk::ConfigNode;
using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr std::string_view kDefaultHost = "unix:///var/run/docker.sock";
constexpr uint16_t kPlainPort = 2375;  // the Engine's registered ports
constexpr uint16_t kTlsPort = 2376;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Docker's API reads object keys ignoring ASCII letter case (Go's JSON
// decoder does), and YAML users write them in lower case.
using csh::sdk::same_letters_ignoring_case;

std::string lowercase(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = lower(c);
    return out;
}

using Setting = csh::sdk::ConfigSetting;
using csh::sdk::config_fail_at;

// ---- docker.connection ---------------------------------------------------

// cacert/cert/key: inline PEM, or a file holding it, read now so that a
// missing file shows at start-up. Neither the value nor the file name goes
// into a message: a key pasted without its BEGIN line would look like a name.
std::string read_pem(const std::optional<Setting>& setting) {
    if (!setting) return {};
    std::string value = setting->node().as_string();
    if (value.empty() || csh::sdk::is_inline_pem(value)) return value;
    std::string problem;
    std::optional<std::string> contents = csh::sdk::read_pem_file(value, problem);
    if (!contents) {
        setting->fail("expected inline PEM (text starting with -----BEGIN) or the name of a readable file (" +
                      problem + ")");
    }
    if (!csh::sdk::is_inline_pem(*contents)) setting->fail("the file it names does not hold PEM text");
    return std::move(*contents);
}

// HOST[:PORT] of a tcp://, http:// or https:// address; an IPv6 literal
// goes in brackets. Returns whether a port was written.
bool read_tcp_address(const Setting& at, std::string_view address, EngineEndpoint& endpoint) {
    if (!address.empty() && address.back() == '/') address.remove_suffix(1);  // "tcp://host:2375/"
    if (address.find('@') != std::string_view::npos) {
        at.fail("credentials in the address are not supported; use cacert, cert and key");
    }
    if (address.find_first_of("/?#") != std::string_view::npos) {
        at.fail("expected only host[:port] after the scheme (no path, query or fragment)");
    }
    if (address.find_first_of(" \t\r\n") != std::string_view::npos) at.fail("the address contains white space");

    std::string problem;
    const auto parsed = csh::net::parse_server_address(address, problem);
    if (!parsed) at.fail(problem + " (e.g. tcp://[::1]:2376)");
    endpoint.tcp_host = parsed->host;
    if (parsed->port == 0) return false;
    endpoint.tcp_port = parsed->port;
    return true;
}

// The schemes Docker's own client dials: unix, tcp, and http/https (which
// it treats as tcp). npipe is Windows-only, ssh needs the docker CLI.
EngineEndpoint read_connection(const Setting& connection) {
    connection.node().allow_only({"host", "cacert", "cert", "key"});
    EngineEndpoint endpoint;
    const std::optional<Setting> cacert = connection.get("cacert");
    const std::optional<Setting> cert = connection.get("cert");
    const std::optional<Setting> key = connection.get("key");
    endpoint.cacert_pem = read_pem(cacert);
    endpoint.cert_pem = read_pem(cert);
    endpoint.key_pem = read_pem(key);
    if (!endpoint.cert_pem.empty() && endpoint.key_pem.empty()) {
        cert->fail("a client certificate needs its private key: set key as well, or neither");
    }
    if (!endpoint.key_pem.empty() && endpoint.cert_pem.empty()) {
        key->fail("a private key needs its client certificate: set cert as well, or neither");
    }
    const bool tls_settings = !endpoint.cacert_pem.empty() || !endpoint.cert_pem.empty();

    const std::optional<Setting> host_setting = connection.get("host");
    const std::string host = host_setting ? host_setting->node().as_string() : std::string(kDefaultHost);
    // Only a written host can be wrong; the default is a valid unix address.
    const Setting& at = host_setting ? *host_setting : connection;
    const size_t separator = host.find("://");
    if (host.empty()) at.fail("expected the Docker Engine address, e.g. unix:///var/run/docker.sock");
    if (separator == std::string::npos) {
        at.fail("expected unix:///path/to/docker.sock, tcp://host[:port], http://host[:port] or https://host[:port]");
    }
    const std::string scheme = lowercase(std::string_view(host).substr(0, separator));
    const std::string_view rest = std::string_view(host).substr(separator + 3);

    if (scheme == "unix") {
        if (rest.empty()) at.fail("expected the socket's path after unix://, e.g. unix:///var/run/docker.sock");
        if (rest.size() >= sizeof(sockaddr_un::sun_path)) {
            at.fail("the socket path is longer than a Unix socket address holds (" +
                    std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes)");
        }
        if (tls_settings) {
            (cacert && !endpoint.cacert_pem.empty() ? *cacert : *cert)
                .fail("TLS settings (cacert, cert, key) need a tcp:// or https:// host, not unix://");
        }
        endpoint.kind = EngineEndpoint::Kind::unix_socket;
        endpoint.unix_path = std::string(rest);
        return endpoint;
    }
    if (scheme == "tcp" || scheme == "http" || scheme == "https") {
        if (scheme == "http" && tls_settings) {
            at.fail("http:// means plain HTTP, but cacert, cert or key is set: use tcp:// or https://");
        }
        endpoint.kind = EngineEndpoint::Kind::tcp;
        endpoint.unix_path.clear();
        endpoint.tls = scheme == "https" || tls_settings;
        const bool port_written = read_tcp_address(at, rest, endpoint);
        if (!port_written) endpoint.tcp_port = endpoint.tls ? kTlsPort : kPlainPort;
        return endpoint;
    }
    if (scheme == "npipe") {
        at.fail("npipe:// is a Windows named pipe; on this system use unix:// or tcp://");
    }
    if (scheme == "ssh") {
        at.fail("ssh:// is not supported; use tcp:// with TLS, or a unix:// socket forwarded over SSH");
    }
    at.fail("unsupported scheme; expected unix://, tcp://, http:// or https://");
}

// ---- docker.execution ----------------------------------------------------

// container.Config of the Engine API (v1.41+), in Docker's spelling.
constexpr std::string_view kContainerKeys[] = {
    "Hostname",   "Domainname", "User",     "AttachStdin", "AttachStdout",    "AttachStderr", "ExposedPorts",
    "Tty",        "OpenStdin",  "StdinOnce", "Env",        "Cmd",             "Healthcheck",  "ArgsEscaped",
    "Image",      "Volumes",    "WorkingDir", "Entrypoint", "NetworkDisabled", "MacAddress",   "OnBuild",
    "Labels",     "StopSignal", "StopTimeout", "Shell",
};
constexpr std::string_view kHealthcheckKeys[] = {"Test", "Interval", "Timeout", "StartPeriod", "StartInterval",
                                                 "Retries"};
constexpr std::string_view kHealthcheckDurations[] = {"Interval", "Timeout", "StartPeriod", "StartInterval"};

template <size_t N>
std::string docker_spelling(const std::string_view (&known)[N], std::string_view key) {
    for (std::string_view name : known) {
        if (same_letters_ignoring_case(name, key)) return std::string(name);
    }
    return std::string(key);
}

template <size_t N>
bool is_one_of(const std::string_view (&names)[N], std::string_view name) {
    for (std::string_view candidate : names) {
        if (candidate == name) return true;
    }
    return false;
}

// Writes `object`'s members under their Docker spelling, refusing a key
// given twice in different letter case. `write_value` writes each value.
template <size_t N, class WriteValue>
void write_respelled(csh::sdk::JsonWriter& out, const Setting& object, const std::string_view (&known)[N],
                     WriteValue write_value) {
    std::vector<std::string> seen;
    out.begin_object();
    for (const auto member : object.object()) {
        const Setting field = object.child(member.key, member.value);
        std::string spelling = docker_spelling(known, member.key);
        const std::string folded = lowercase(spelling);
        for (const std::string& earlier : seen) {
            if (earlier == folded) field.fail("the key is given twice in different letter case");
        }
        seen.push_back(folded);
        out.key(spelling);
        write_value(spelling, field);
    }
    out.end_object();
}

// Healthcheck durations are nanosecond numbers in the Engine API; a YAML
// file may hold Go text ("30s"), which ContainerSSH's decoder accepted.
void write_healthcheck(csh::sdk::JsonWriter& out, const Setting& healthcheck) {
    write_respelled(out, healthcheck, kHealthcheckKeys, [&out](const std::string& key, const Setting& field) {
        std::string_view text;
        if (is_one_of(kHealthcheckDurations, key) && field.value().get_string().get(text) == simdjson::SUCCESS) {
            const std::optional<std::int64_t> nanos = csh::sdk::parse_go_duration(text);
            if (!nanos) field.fail("expected a duration such as \"30s\" or a number of nanoseconds");
            out.value(*nanos);
        } else {
            out.raw(simdjson::minify(field.value()));
        }
    });
}

void read_container(const Setting& container, DockerConfig& config) {
    csh::sdk::JsonWriter out;
    std::optional<Setting> image;
    write_respelled(out, container, kContainerKeys, [&](const std::string& key, const Setting& field) {
        if (key == "Image") image = field;
        if (key == "Healthcheck" && field.value().is_object()) {
            write_healthcheck(out, field);
        } else {
            out.raw(simdjson::minify(field.value()));
        }
    });
    if (!image || image->value().is_null()) {
        container.child("image", container.value()).fail("must be set to the image the containers run");
    }
    std::string name = image->node().as_string();
    if (name.empty()) image->fail("must not be empty: it names the image the containers run");
    config.image = std::move(name);
    config.container_json = out.take();
}

// host, network, platform: passed to Docker as written; {} means none.
std::string read_free_object(const Setting& setting) {
    if (setting.object().size() == 0) return {};
    return simdjson::minify(setting.value());
}

// Docker's AuthConfig, under its JSON names whatever the letter case here.
std::string read_registry_auth(const Setting& auth) {
    static constexpr std::string_view kNames[] = {"username", "password",      "auth",         "email",
                                                  "serveraddress", "identitytoken", "registrytoken"};
    constexpr size_t kCount = sizeof kNames / sizeof kNames[0];
    std::optional<std::string> values[kCount];
    for (const auto member : auth.object()) {
        const Setting field = auth.child(member.key, member.value);
        size_t index = kCount;
        for (size_t i = 0; i < kCount; ++i) {
            if (same_letters_ignoring_case(kNames[i], member.key)) index = i;
        }
        if (index == kCount) {
            field.fail("unknown key; registry credentials have username, password, auth, email, serveraddress, "
                       "identitytoken and registrytoken");
        }
        if (values[index]) field.fail("the key is given twice in different letter case");
        values[index] = member.value.is_null() ? std::string() : field.node().as_string();
    }
    csh::sdk::JsonWriter out;
    bool any = false;
    out.begin_object();
    for (size_t i = 0; i < kCount; ++i) {
        if (!values[i] || values[i]->empty()) continue;
        out.key(kNames[i]).value(*values[i]);
        any = true;
    }
    out.end_object();
    return any ? out.take() : std::string();
}

// Docker's rule for names: [a-zA-Z0-9][a-zA-Z0-9_.-]+, optionally after a '/'.
void check_container_name(const Setting& at, std::string_view name) {
    if (!name.empty() && name.front() == '/') name.remove_prefix(1);
    const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
    bool valid = name.size() >= 2 && alnum(name.front());
    for (char c : name) valid = valid && (alnum(c) || c == '_' || c == '.' || c == '-');
    if (!valid) {
        at.fail("expected a Docker container name: two or more of a-z A-Z 0-9 _ . - starting with a letter or digit");
    }
}

std::vector<std::string> read_command(const Setting& setting) {
    std::vector<std::string> command = setting.node().as_string_list();
    if (!command.empty() && command.front().empty()) setting.fail("the first entry, the program, must not be empty");
    return command;
}

void read_execution(const Setting& execution, DockerConfig& config) {
    execution.node().allow_only({"container", "host", "network", "platform", "containername", "auth", "mode",
                                 "idleCommand", "shellCommand", "agentPath", "disableAgent", "subsystems",
                                 "imagePullPolicy", "exposeAuthMetadataAsEnv"});
    if (auto container = execution.get("container")) read_container(*container, config);
    if (auto host = execution.get("host")) config.host_json = read_free_object(*host);
    if (auto network = execution.get("network")) config.network_json = read_free_object(*network);
    if (auto platform = execution.get("platform")) config.platform_json = read_free_object(*platform);
    if (auto name = execution.get("containername")) {
        config.container_name = name->node().as_string();
        if (!config.container_name.empty()) check_container_name(*name, config.container_name);
    }
    if (auto auth = execution.get("auth")) config.registry_auth_json = read_registry_auth(*auth);
    if (auto mode = execution.get("mode")) {
        const std::string value = mode->node().as_string();
        if (value == "connection") {
            config.mode = ExecutionMode::connection;
        } else if (value == "session") {
            config.mode = ExecutionMode::session;
        } else {
            mode->fail("expected connection or session");
        }
    }
    if (auto idle = execution.get("idleCommand")) config.idle_command = read_command(*idle);
    if (auto shell = execution.get("shellCommand")) {
        config.shell_command = read_command(*shell);
        if (config.shell_command.empty()) shell->fail("expected at least the shell program");
    }
    config.agent_path = execution.node().string("agentPath", config.agent_path);
    config.disable_agent = execution.node().boolean("disableAgent", config.disable_agent);
    if (auto subsystems = execution.get("subsystems")) {
        std::map<std::string, std::string> table;
        for (const auto& [name, program] : subsystems->node().members()) {
            if (name.empty()) subsystems->fail("a subsystem name must not be empty");
            table[name] = program.as_string();
            if (table[name].empty()) program.fail("expected the program that serves the subsystem");
        }
        config.subsystems = std::move(table);
    }
    if (auto policy = execution.get("imagePullPolicy")) {
        const std::string value = policy->node().as_string();
        if (value == "Always") {
            config.pull_policy = PullPolicy::always;
        } else if (value == "IfNotPresent") {
            config.pull_policy = PullPolicy::if_not_present;
        } else if (value == "Never") {
            config.pull_policy = PullPolicy::never;
        } else {
            policy->fail("expected Always, IfNotPresent or Never");
        }
    }
    config.expose_auth_metadata_as_env =
        execution.node().boolean("exposeAuthMetadataAsEnv", config.expose_auth_metadata_as_env);
}

// ---- docker.timeouts -----------------------------------------------------

void read_timeouts(const Setting& timeouts, DockerTimeouts& out) {
    timeouts.node().allow_only({"containerStart", "containerStop", "commandStart", "signal", "window", "http"});
    const std::pair<std::string_view, std::chrono::milliseconds DockerTimeouts::*> fields[] = {
        {"containerStart", &DockerTimeouts::container_start},
        {"containerStop", &DockerTimeouts::container_stop},
        {"commandStart", &DockerTimeouts::command_start},
        {"signal", &DockerTimeouts::signal},
        {"window", &DockerTimeouts::window},
        {"http", &DockerTimeouts::http},
    };
    for (const auto& [key, member] : fields) {
        if (auto setting = timeouts.get(key)) out.*member = setting->as_timeout();
    }
}

// ---- rules over several keys ---------------------------------------------

// A session's container runs the user's program as PID 1 and is removed
// when the channel closes; Docker restarting it would resurrect the program.
void check_no_restart_policy(const std::string& host_json, const char* code) {
    if (host_json.empty()) return;
    simdjson::dom::parser parser;
    element root;
    if (parser.parse(host_json).get(root) != simdjson::SUCCESS) return;  // we wrote it: cannot happen
    const Setting host(root, "docker.execution.host", code);
    const std::optional<Setting> policy = host.get_any_case("RestartPolicy");
    if (!policy) return;
    const std::optional<Setting> name = policy->get_any_case("Name");
    if (!name) return;
    const std::string value = name->node().as_string();
    if (!value.empty() && value != "no") {
        name->fail("session mode forbids a restart policy (a session's container must not restart); use \"no\"");
    }
}

void check_combination(const DockerConfig& config, const char* code) {
    if (config.mode == ExecutionMode::connection && config.idle_command.empty()) {
        config_fail_at(code, "docker.execution.idleCommand",
                "connection mode needs the program that keeps the container running");
    }
    if (!config.disable_agent && config.agent_path.empty()) {
        config_fail_at(code, "docker.execution.agentPath", "must name the guest agent in the image unless disableAgent is true");
    }
    if (config.mode == ExecutionMode::session) check_no_restart_policy(config.host_json, code);
}

DockerConfig apply(const Setting& docker, DockerConfig config) {
    docker.node().allow_only({"connection", "execution", "timeouts"});
    if (auto connection = docker.get("connection")) config.connection = read_connection(*connection);
    if (auto execution = docker.get("execution")) read_execution(*execution, config);
    if (auto timeouts = docker.get("timeouts")) read_timeouts(*timeouts, config.timeouts);
    check_combination(config, docker.code());
    return config;
}

element parse_json(simdjson::dom::parser& parser, std::string_view json, const char* code, const char* what) {
    element root;
    if (parser.parse(json.data(), json.size(), true).get(root) != simdjson::SUCCESS) {
        throw csh::sdk::Error(code, std::string(what) + " is not valid JSON", {{"key", "docker"}});
    }
    return root;
}

}  // namespace

std::string_view mode_name(ExecutionMode mode) { return mode == ExecutionMode::session ? "session" : "connection"; }

std::string_view pull_policy_name(PullPolicy policy) {
    switch (policy) {
        case PullPolicy::always: return "Always";
        case PullPolicy::never: return "Never";
        case PullPolicy::if_not_present: break;
    }
    return "IfNotPresent";
}

DockerConfig DockerConfig::defaults() { return DockerConfig{}; }

DockerConfig DockerConfig::from_section(std::string_view section_json, const char* error_code) {
    simdjson::dom::parser parser;
    const element root = parse_json(parser, section_json, error_code, "the configuration section docker");
    if (root.is_null()) return defaults();
    return apply(Setting(root, "docker", error_code), defaults());
}

DockerConfig DockerConfig::from_effective_config(std::string_view config_json, const DockerConfig& base,
                                                 const char* error_code) {
    if (config_json.empty()) return base;
    simdjson::dom::parser parser;
    const element root = parse_json(parser, config_json, error_code, "the connection's effective configuration");
    element docker;
    if (!root.is_object() || root.at_key("docker").get(docker) != simdjson::SUCCESS || docker.is_null()) return base;
    return apply(Setting(docker, "docker", error_code), base);
}

}  // namespace backend_docker
