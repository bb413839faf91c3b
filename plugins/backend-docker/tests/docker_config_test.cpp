// The docker section as the core hands it over (key names checked, defaults
// filled, durations in Go's spelling) and as a config server may change it.
#include <boost/test/unit_test.hpp>

#include "docker_config.hpp"

#include <containerssh/sdk/types.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

using backend_docker::DockerConfig;
using backend_docker::EngineEndpoint;
using backend_docker::ExecutionMode;
using backend_docker::PullPolicy;
using namespace std::chrono_literals;

namespace {

constexpr const char* kCode = "DOCKER_CONFIG_ERROR";

// Stand-ins: the parser checks the PEM framing, not the DER inside.
const std::string kCaPem = "-----BEGIN CERTIFICATE-----\nQ0FDRVJU\n-----END CERTIFICATE-----\n";
const std::string kCertPem = "-----BEGIN CERTIFICATE-----\nQ0xJRU5U\n-----END CERTIFICATE-----\n";
const std::string kKeyPem = "-----BEGIN PRIVATE KEY-----\nU0VDUkVUS0VZ\n-----END PRIVATE KEY-----\n";
const std::string kKeyBody = "U0VDUkVUS0VZ";
const std::string kPassword = "hunter2-registry";

// A JSON string literal (with quotes) for text that holds newlines.
std::string quoted(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out + "\"";
}

// The section as the core renders it from ContainerSSH's defaults, with
// `connection`, `execution` members and `timeouts` replaced when given.
std::string section(const std::string& connection = "", const std::string& execution = "",
                    const std::string& timeouts = "") {
    return std::string("{\"connection\":") +
           (connection.empty() ? R"({"host":"unix:///var/run/docker.sock","cacert":"","cert":"","key":""})"
                               : connection) +
           ",\"execution\":" +
           (execution.empty() ? R"({"container":{"image":"containerssh/containerssh-guest-image"},"host":null,)"
                                R"("network":null,"platform":null,"containername":"","auth":null,)"
                                R"("mode":"connection","idleCommand":["/usr/bin/containerssh-agent","wait-signal",)"
                                R"("--signal","INT","--signal","TERM"],"shellCommand":["/bin/bash"],)"
                                R"("agentPath":"/usr/bin/containerssh-agent","disableAgent":false,)"
                                R"("subsystems":{"sftp":"/usr/lib/openssh/sftp-server"},)"
                                R"("imagePullPolicy":"IfNotPresent","exposeAuthMetadataAsEnv":false})"
                              : execution) +
           ",\"timeouts\":" +
           (timeouts.empty() ? R"({"containerStart":"1m0s","containerStop":"1m0s","commandStart":"1m0s",)"
                               R"("signal":"1m0s","window":"1m0s","http":"15s"})"
                             : timeouts) +
           "}";
}

std::string connection_block(const std::string& host, const std::string& cacert = "", const std::string& cert = "",
                             const std::string& key = "") {
    return "{\"host\":\"" + host + "\",\"cacert\":" + quoted(cacert) + ",\"cert\":" + quoted(cert) +
           ",\"key\":" + quoted(key) + "}";
}

DockerConfig parse(const std::string& json) { return DockerConfig::from_section(json, kCode); }

EngineEndpoint endpoint(const std::string& host, const std::string& cacert = "", const std::string& cert = "",
                        const std::string& key = "") {
    return parse(section(connection_block(host, cacert, cert, key))).connection;
}

// The message of the error `json` is refused with, after checking that it
// carries the code, names `path` and holds none of the secrets.
std::string refusal(const std::string& json, const std::string& path) {
    try {
        parse(json);
    } catch (const csh::sdk::Error& error) {
        const std::string message = error.what();
        BOOST_TEST(std::string(error.code()) == kCode);
        BOOST_TEST(message.find("invalid configuration at " + path + ":") != std::string::npos, message);
        for (const std::string& secret : {kPassword, kKeyBody}) {
            BOOST_TEST(message.find(secret) == std::string::npos, message);
        }
        return message;
    }
    BOOST_ERROR("accepted: " + json);
    return {};
}

std::string execution_with(const std::string& members) {
    return R"({"container":{"image":"img"},)" + members + "}";
}

// A file in a fresh directory, removed with it at the end of the test.
class TempFile {
public:
    explicit TempFile(const std::string& contents) {
        char pattern[] = "/tmp/docker_config_test.XXXXXX";
        dir_ = ::mkdtemp(pattern);
        path_ = dir_ + "/file.pem";
        std::ofstream(path_, std::ios::binary) << contents;
    }
    ~TempFile() {
        std::remove(path_.c_str());
        ::rmdir(dir_.c_str());
    }
    const std::string& path() const { return path_; }

private:
    std::string dir_;
    std::string path_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(defaults)

BOOST_AUTO_TEST_CASE(a_null_section_gives_containersshs_defaults) {
    const DockerConfig config = parse("null");
    BOOST_TEST((config.connection.kind == EngineEndpoint::Kind::unix_socket));
    BOOST_TEST(config.connection.unix_path == "/var/run/docker.sock");
    BOOST_TEST(config.connection.display() == "unix:///var/run/docker.sock");
    BOOST_TEST(!config.connection.tls);
    BOOST_TEST(config.connection.cacert_pem.empty());
    BOOST_TEST(config.image == "containerssh/containerssh-guest-image");
    BOOST_TEST(config.container_json == R"({"Image":"containerssh/containerssh-guest-image"})");
    BOOST_TEST(config.host_json.empty());
    BOOST_TEST(config.network_json.empty());
    BOOST_TEST(config.platform_json.empty());
    BOOST_TEST(config.container_name.empty());
    BOOST_TEST(config.registry_auth_json.empty());
    BOOST_TEST((config.mode == ExecutionMode::connection));
    BOOST_TEST(config.idle_command == (std::vector<std::string>{"/usr/bin/containerssh-agent", "wait-signal",
                                                                "--signal", "INT", "--signal", "TERM"}),
               boost::test_tools::per_element());
    BOOST_TEST(config.shell_command == std::vector<std::string>{"/bin/bash"}, boost::test_tools::per_element());
    BOOST_TEST(config.agent_path == "/usr/bin/containerssh-agent");
    BOOST_TEST(!config.disable_agent);
    BOOST_TEST(config.subsystems.size() == 1u);
    BOOST_TEST(config.subsystems.at("sftp") == "/usr/lib/openssh/sftp-server");
    BOOST_TEST((config.pull_policy == PullPolicy::if_not_present));
    BOOST_TEST(!config.expose_auth_metadata_as_env);
    BOOST_TEST(config.timeouts.container_start.count() == 60000);
    BOOST_TEST(config.timeouts.container_stop.count() == 60000);
    BOOST_TEST(config.timeouts.command_start.count() == 60000);
    BOOST_TEST(config.timeouts.signal.count() == 60000);
    BOOST_TEST(config.timeouts.window.count() == 60000);
    BOOST_TEST(config.timeouts.http.count() == 15000);
}

BOOST_AUTO_TEST_CASE(the_cores_rendering_of_the_defaults_reads_as_the_defaults) {
    const DockerConfig config = parse(section());
    const DockerConfig expected = DockerConfig::defaults();
    BOOST_TEST(config.connection.display() == expected.connection.display());
    BOOST_TEST(config.container_json == expected.container_json);
    BOOST_TEST(config.image == expected.image);
    BOOST_TEST(config.idle_command == expected.idle_command, boost::test_tools::per_element());
    BOOST_TEST(config.subsystems == expected.subsystems);
    BOOST_TEST(config.timeouts.container_start.count() == 60000);
    BOOST_TEST(config.timeouts.http.count() == 15000);
    BOOST_TEST(backend_docker::mode_name(config.mode) == "connection");
    BOOST_TEST(backend_docker::pull_policy_name(config.pull_policy) == "IfNotPresent");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(full_section)

// What a YAML file of a ContainerSSH user turns into: Docker's objects in
// lower case, ContainerSSH's own keys in camelCase.
BOOST_AUTO_TEST_CASE(every_key_is_read) {
    const std::string json = section(
        connection_block("tcp://docker.example.com:2376", kCaPem, kCertPem, kKeyPem),
        R"({"container":{"image":"example/guest:1.2","env":["A=1"],"cmd":["/bin/sh"],"labels":{"team":"x"},)"
        R"("hostname":"box","stoptimeout":10},)"
        R"("host":{"binds":["/srv:/srv:ro"],"readonlyrootfs":true,"memory":268435456,"restartpolicy":{"name":"no"}},)"
        R"("network":{"endpointsconfig":{"isolated":{}}},)"
        R"("platform":{"os":"linux","architecture":"arm64"},)"
        R"("containername":"guest-1",)"
        R"("auth":{"username":"robot","password":")" + kPassword + R"(","serveraddress":"registry.example.com"},)"
        R"("mode":"session",)"
        R"("idleCommand":["/bin/sleep","infinity"],)"
        R"("shellCommand":["/bin/zsh","-l"],)"
        R"("agentPath":"/opt/agent",)"
        R"("disableAgent":true,)"
        R"("subsystems":{"sftp":"/usr/libexec/sftp-server","backup":"/usr/bin/backup"},)"
        R"("imagePullPolicy":"Never",)"
        R"("exposeAuthMetadataAsEnv":true})",
        R"({"containerStart":"2m0s","containerStop":"30s","commandStart":"5s","signal":"1s",)"
        R"("window":"500ms","http":"1m30s"})");
    const DockerConfig config = parse(json);

    BOOST_TEST((config.connection.kind == EngineEndpoint::Kind::tcp));
    BOOST_TEST(config.connection.tcp_host == "docker.example.com");
    BOOST_TEST(config.connection.tcp_port == 2376);
    BOOST_TEST(config.connection.tls);
    BOOST_TEST(config.connection.cacert_pem == kCaPem);
    BOOST_TEST(config.connection.cert_pem == kCertPem);
    BOOST_TEST(config.connection.key_pem == kKeyPem);
    BOOST_TEST(config.connection.display() == "tcp://docker.example.com:2376");

    BOOST_TEST(config.image == "example/guest:1.2");
    BOOST_TEST(config.container_json == R"({"Image":"example/guest:1.2","Env":["A=1"],"Cmd":["/bin/sh"],)"
                                        R"("Labels":{"team":"x"},"Hostname":"box","StopTimeout":10})");
    BOOST_TEST(config.host_json ==
               R"({"binds":["/srv:/srv:ro"],"readonlyrootfs":true,"memory":268435456,"restartpolicy":{"name":"no"}})");
    BOOST_TEST(config.network_json == R"({"endpointsconfig":{"isolated":{}}})");
    BOOST_TEST(config.platform_json == R"({"os":"linux","architecture":"arm64"})");
    BOOST_TEST(config.container_name == "guest-1");
    BOOST_TEST(config.registry_auth_json ==
               R"({"username":"robot","password":")" + kPassword + R"(","serveraddress":"registry.example.com"})");
    BOOST_TEST((config.mode == ExecutionMode::session));
    BOOST_TEST(config.idle_command == (std::vector<std::string>{"/bin/sleep", "infinity"}),
               boost::test_tools::per_element());
    BOOST_TEST(config.shell_command == (std::vector<std::string>{"/bin/zsh", "-l"}), boost::test_tools::per_element());
    BOOST_TEST(config.agent_path == "/opt/agent");
    BOOST_TEST(config.disable_agent);
    BOOST_TEST(config.subsystems.size() == 2u);
    BOOST_TEST(config.subsystems.at("sftp") == "/usr/libexec/sftp-server");
    BOOST_TEST(config.subsystems.at("backup") == "/usr/bin/backup");
    BOOST_TEST((config.pull_policy == PullPolicy::never));
    BOOST_TEST(config.expose_auth_metadata_as_env);
    BOOST_TEST(config.timeouts.container_start.count() == 120000);
    BOOST_TEST(config.timeouts.container_stop.count() == 30000);
    BOOST_TEST(config.timeouts.command_start.count() == 5000);
    BOOST_TEST(config.timeouts.signal.count() == 1000);
    BOOST_TEST(config.timeouts.window.count() == 500);
    BOOST_TEST(config.timeouts.http.count() == 90000);
}

BOOST_AUTO_TEST_CASE(container_keys_take_dockers_spelling_whatever_their_case) {
    const DockerConfig config =
        parse(section("", R"({"container":{"IMAGE":"a","workingdir":"/w","AttachStdin":true,"x-custom":1}})"));
    BOOST_TEST(config.image == "a");
    BOOST_TEST(config.container_json == R"({"Image":"a","WorkingDir":"/w","AttachStdin":true,"x-custom":1})");
}

BOOST_AUTO_TEST_CASE(healthcheck_durations_in_go_text_become_nanoseconds) {
    const DockerConfig config = parse(section(
        "", R"({"container":{"image":"a","healthcheck":{"test":["CMD","true"],"interval":"30s",)"
            R"("timeout":5000000000,"startperiod":"1m0s","retries":3}}})"));
    BOOST_TEST(config.container_json ==
               R"({"Image":"a","Healthcheck":{"Test":["CMD","true"],"Interval":30000000000,)"
               R"("Timeout":5000000000,"StartPeriod":60000000000,"Retries":3}})");
}

BOOST_AUTO_TEST_CASE(empty_host_network_and_platform_objects_mean_none) {
    const DockerConfig config =
        parse(section("", execution_with(R"("host":{},"network":{},"platform":{},"auth":{})")));
    BOOST_TEST(config.host_json.empty());
    BOOST_TEST(config.network_json.empty());
    BOOST_TEST(config.platform_json.empty());
    BOOST_TEST(config.registry_auth_json.empty());
}

BOOST_AUTO_TEST_CASE(a_partial_execution_block_keeps_the_other_defaults) {
    const DockerConfig config = parse(R"({"execution":{"container":{"image":"a"}}})");
    BOOST_TEST(config.image == "a");
    BOOST_TEST(config.shell_command == std::vector<std::string>{"/bin/bash"}, boost::test_tools::per_element());
    BOOST_TEST(config.timeouts.http.count() == 15000);
    BOOST_TEST(config.connection.display() == "unix:///var/run/docker.sock");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(durations)

BOOST_AUTO_TEST_CASE(go_text_and_nanosecond_numbers_are_both_accepted) {
    const DockerConfig config =
        parse(section("", "",
                      R"({"containerStart":90000000000,"containerStop":"1h0m0s","commandStart":2500000000,)"
                      R"("signal":"1.5s","window":6e10,"http":"250ms"})"));
    BOOST_TEST(config.timeouts.container_start.count() == 90000);
    BOOST_TEST(config.timeouts.container_stop.count() == 3600000);
    BOOST_TEST(config.timeouts.command_start.count() == 2500);
    BOOST_TEST(config.timeouts.signal.count() == 1500);
    BOOST_TEST(config.timeouts.window.count() == 60000);
    BOOST_TEST(config.timeouts.http.count() == 250);
}

BOOST_AUTO_TEST_CASE(a_sub_millisecond_timeout_rounds_up_rather_than_to_zero) {
    const DockerConfig config = parse(R"({"timeouts":{"signal":"1us","window":1500000}})");
    BOOST_TEST(config.timeouts.signal.count() == 1);
    BOOST_TEST(config.timeouts.window.count() == 2);
}

BOOST_AUTO_TEST_CASE(zero_negative_and_malformed_timeouts_are_refused) {
    refusal(R"({"timeouts":{"containerStart":"0s"}})", "docker.timeouts.containerStart");
    refusal(R"({"timeouts":{"containerStop":-5}})", "docker.timeouts.containerStop");
    refusal(R"({"timeouts":{"commandStart":"-1s"}})", "docker.timeouts.commandStart");
    refusal(R"({"timeouts":{"signal":"soon"}})", "docker.timeouts.signal");
    refusal(R"({"timeouts":{"window":true}})", "docker.timeouts.window");
    refusal(R"({"timeouts":{"http":0}})", "docker.timeouts.http");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(endpoints)

BOOST_AUTO_TEST_CASE(unix_sockets) {
    const EngineEndpoint e = endpoint("unix:///run/user/1000/docker.sock");
    BOOST_TEST((e.kind == EngineEndpoint::Kind::unix_socket));
    BOOST_TEST(e.unix_path == "/run/user/1000/docker.sock");
    BOOST_TEST(e.display() == "unix:///run/user/1000/docker.sock");
    BOOST_TEST(!e.tls);
}

BOOST_AUTO_TEST_CASE(tcp_host_and_port) {
    const EngineEndpoint e = endpoint("tcp://10.0.0.5:12375");
    BOOST_TEST((e.kind == EngineEndpoint::Kind::tcp));
    BOOST_TEST(e.tcp_host == "10.0.0.5");
    BOOST_TEST(e.tcp_port == 12375);
    BOOST_TEST(!e.tls);
    BOOST_TEST(e.display() == "tcp://10.0.0.5:12375");
    BOOST_TEST(endpoint("tcp://docker:2375/").tcp_port == 2375);
}

BOOST_AUTO_TEST_CASE(default_ports_2375_plain_and_2376_with_tls) {
    BOOST_TEST(endpoint("tcp://docker").tcp_port == 2375);
    BOOST_TEST(endpoint("http://docker").tcp_port == 2375);
    BOOST_TEST(!endpoint("http://docker").tls);
    const EngineEndpoint https = endpoint("https://docker");
    BOOST_TEST(https.tls);
    BOOST_TEST(https.tcp_port == 2376);
    BOOST_TEST(https.cacert_pem.empty());  // the system's trust store verifies it
    const EngineEndpoint with_ca = endpoint("tcp://docker", kCaPem);
    BOOST_TEST(with_ca.tls);
    BOOST_TEST(with_ca.tcp_port == 2376);
    BOOST_TEST(with_ca.display() == "tcp://docker:2376");
    const EngineEndpoint with_client_cert = endpoint("tcp://docker:3000", "", kCertPem, kKeyPem);
    BOOST_TEST(with_client_cert.tls);
    BOOST_TEST(with_client_cert.tcp_port == 3000);
}

BOOST_AUTO_TEST_CASE(ipv6_literals_in_brackets) {
    const EngineEndpoint e = endpoint("tcp://[::1]:2376");
    BOOST_TEST(e.tcp_host == "::1");
    BOOST_TEST(e.tcp_port == 2376);
    BOOST_TEST(e.display() == "tcp://[::1]:2376");
    const EngineEndpoint no_port = endpoint("tcp://[fd00::5]");
    BOOST_TEST(no_port.tcp_host == "fd00::5");
    BOOST_TEST(no_port.tcp_port == 2375);
    BOOST_TEST(no_port.display() == "tcp://[fd00::5]:2375");
}

BOOST_AUTO_TEST_CASE(endpoints_compare_equal_only_when_reached_the_same_way) {
    BOOST_TEST((endpoint("tcp://docker:2376") == endpoint("tcp://docker:2376")));
    BOOST_TEST((endpoint("tcp://docker") == endpoint("http://docker:2375")));
    // Same display text, but one speaks TLS.
    BOOST_TEST(endpoint("tcp://docker:2376").display() == endpoint("https://docker").display());
    BOOST_TEST((endpoint("tcp://docker:2376") != endpoint("https://docker")));
    BOOST_TEST((endpoint("tcp://docker", kCaPem, kCertPem, kKeyPem) !=
                endpoint("tcp://docker", kCaPem, kCertPem, kKeyPem + "\n")));
    BOOST_TEST((endpoint("unix:///a.sock") != endpoint("unix:///b.sock")));
}

BOOST_AUTO_TEST_CASE(unusable_addresses_are_refused_naming_the_host_key) {
    const std::string at = "docker.connection.host";
    BOOST_TEST(refusal(section(connection_block("npipe:////./pipe/docker_engine")), at).find("npipe://") !=
               std::string::npos);
    BOOST_TEST(refusal(section(connection_block("ssh://me@box")), at).find("ssh://") != std::string::npos);
    refusal(section(connection_block("fd://")), at);
    refusal(section(connection_block("/var/run/docker.sock")), at);
    refusal(section(connection_block("")), at);
    refusal(section(connection_block("unix://")), at);
    refusal(section(connection_block("unix:///" + std::string(200, 'a'))), at);
    refusal(section(connection_block("tcp://")), at);
    refusal(section(connection_block("tcp://::1:2375")), at);
    refusal(section(connection_block("tcp://[::1")), at);
    refusal(section(connection_block("tcp://docker:")), at);
    refusal(section(connection_block("tcp://docker:0")), at);
    refusal(section(connection_block("tcp://docker:65536")), at);
    refusal(section(connection_block("tcp://docker:23x5")), at);
    refusal(section(connection_block("tcp://docker:2375/v1.41")), at);
    refusal(section(connection_block("tcp://user:pw@docker:2375")), at);
    refusal(section(connection_block("http://docker", kCaPem)), at);
}

BOOST_AUTO_TEST_CASE(cert_and_key_go_together_and_tls_needs_tcp) {
    refusal(section(connection_block("tcp://docker", "", kCertPem, "")), "docker.connection.cert");
    refusal(section(connection_block("tcp://docker", "", "", kKeyPem)), "docker.connection.key");
    refusal(section(connection_block("unix:///var/run/docker.sock", kCaPem)), "docker.connection.cacert");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(pem_sources)

BOOST_AUTO_TEST_CASE(pem_is_read_from_a_file_or_taken_inline) {
    const TempFile ca(kCaPem);
    const TempFile cert(kCertPem);
    const TempFile key(kKeyPem);
    const EngineEndpoint from_files = endpoint("tcp://docker:2376", ca.path(), cert.path(), key.path());
    BOOST_TEST(from_files.cacert_pem == kCaPem);
    BOOST_TEST(from_files.cert_pem == kCertPem);
    BOOST_TEST(from_files.key_pem == kKeyPem);
    const EngineEndpoint inline_pem = endpoint("tcp://docker:2376", "\n  " + kCaPem, kCertPem, kKeyPem);
    BOOST_TEST(inline_pem.cacert_pem == "\n  " + kCaPem);
    BOOST_TEST(inline_pem.key_pem == kKeyPem);
}

BOOST_AUTO_TEST_CASE(an_unreadable_or_non_pem_file_is_refused_without_echoing_the_value) {
    // A key pasted without its BEGIN line is taken for a file name: the
    // message must not repeat it.
    const std::string message =
        refusal(section(connection_block("tcp://docker", "", kCertPem, kKeyBody)), "docker.connection.key");
    BOOST_TEST(message.find("No such file or directory") != std::string::npos, message);
    const TempFile not_pem("just text\n");
    const std::string second = refusal(section(connection_block("tcp://docker", not_pem.path())),
                                       "docker.connection.cacert");
    BOOST_TEST(second.find(not_pem.path()) == std::string::npos, second);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(registry_auth)

BOOST_AUTO_TEST_CASE(credentials_use_dockers_field_names_in_dockers_order) {
    const DockerConfig config = parse(section(
        "", execution_with(R"("auth":{"RegistryToken":"rt","serverAddress":"r.example.com","Email":"a@b",)"
                           R"("identitytoken":"it","AUTH":"dTpw","password":"pw","UserName":"u"})")));
    BOOST_TEST(config.registry_auth_json ==
               R"({"username":"u","password":"pw","auth":"dTpw","email":"a@b","serveraddress":"r.example.com",)"
               R"("identitytoken":"it","registrytoken":"rt"})");
}

BOOST_AUTO_TEST_CASE(empty_credentials_are_left_out) {
    const DockerConfig config =
        parse(section("", execution_with(R"("auth":{"username":"","password":"","identitytoken":"tok"})")));
    BOOST_TEST(config.registry_auth_json == R"({"identitytoken":"tok"})");
}

BOOST_AUTO_TEST_CASE(bad_credentials_are_refused_without_the_password) {
    const std::string secret = R"("password":")" + kPassword + "\"";
    refusal(section("", execution_with(R"("auth":{"user":"u",)" + secret + "}")), "docker.execution.auth.user");
    refusal(section("", execution_with(R"("auth":{"username":5,)" + secret + "}")),
            "docker.execution.auth.username");
    refusal(section("", execution_with(R"("auth":{"Password":"x",)" + secret + "}")),
            "docker.execution.auth.password");
    refusal(section("", execution_with(R"("auth":")" + kPassword + "\"")), "docker.execution.auth");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(validation)

BOOST_AUTO_TEST_CASE(mode_and_pull_policy_take_only_their_values) {
    refusal(section("", execution_with(R"("mode":"pod")")), "docker.execution.mode");
    refusal(section("", execution_with(R"("mode":"Connection")")), "docker.execution.mode");
    refusal(section("", execution_with(R"("imagePullPolicy":"always")")), "docker.execution.imagePullPolicy");
    refusal(section("", execution_with(R"("imagePullPolicy":"Sometimes")")), "docker.execution.imagePullPolicy");
    BOOST_TEST((parse(section("", execution_with(R"("imagePullPolicy":"Always")"))).pull_policy ==
                PullPolicy::always));
}

BOOST_AUTO_TEST_CASE(the_container_must_be_an_object_naming_an_image) {
    refusal(section("", R"({"container":"ubuntu"})"), "docker.execution.container");
    refusal(section("", R"({"container":{"cmd":["sh"]}})"), "docker.execution.container.image");
    refusal(section("", R"({"container":{"image":""}})"), "docker.execution.container.image");
    refusal(section("", R"({"container":{"Image":7}})"), "docker.execution.container.Image");
    refusal(section("", R"({"container":{"image":"a","Image":"b"}})"), "docker.execution.container.Image");
    refusal(section("", R"({"container":{"image":"a","healthcheck":{"interval":"often"}}})"),
            "docker.execution.container.healthcheck.interval");
}

BOOST_AUTO_TEST_CASE(host_network_and_platform_must_be_objects) {
    refusal(section("", execution_with(R"("host":[])")), "docker.execution.host");
    refusal(section("", execution_with(R"("network":"bridge")")), "docker.execution.network");
    refusal(section("", execution_with(R"("platform":"linux/amd64")")), "docker.execution.platform");
}

BOOST_AUTO_TEST_CASE(session_mode_forbids_a_restart_policy) {
    refusal(section("", execution_with(R"("mode":"session","host":{"restartpolicy":{"name":"always"}})")),
            "docker.execution.host.restartpolicy.name");
    refusal(section("", execution_with(R"("mode":"session","host":{"RestartPolicy":{"Name":"on-failure"}})")),
            "docker.execution.host.RestartPolicy.Name");
    // "no" and "" are no policy; connection mode may restart its container.
    BOOST_TEST((parse(section("", execution_with(R"("mode":"session","host":{"restartpolicy":{"name":"no"}})")))
                    .mode == ExecutionMode::session));
    BOOST_TEST((parse(section("", execution_with(R"("mode":"session","host":{"RestartPolicy":{"Name":""}})")))
                    .mode == ExecutionMode::session));
    BOOST_TEST(parse(section("", execution_with(R"("host":{"restartpolicy":{"name":"always"}})"))).host_json ==
               R"({"restartpolicy":{"name":"always"}})");
}

BOOST_AUTO_TEST_CASE(commands_agent_and_subsystems_must_not_be_empty) {
    refusal(section("", execution_with(R"("idleCommand":[])")), "docker.execution.idleCommand");
    refusal(section("", execution_with(R"("idleCommand":["",  "x"])")), "docker.execution.idleCommand");
    refusal(section("", execution_with(R"("shellCommand":[])")), "docker.execution.shellCommand");
    refusal(section("", execution_with(R"("shellCommand":"/bin/sh")")), "docker.execution.shellCommand");
    refusal(section("", execution_with(R"("agentPath":"")")), "docker.execution.agentPath");
    refusal(section("", execution_with(R"("subsystems":{"sftp":""})")), "docker.execution.subsystems.sftp");
    refusal(section("", execution_with(R"("subsystems":["sftp"])")), "docker.execution.subsystems");
    // Session mode has no idle program; without the agent its path is unused.
    BOOST_TEST(parse(section("", execution_with(R"("mode":"session","idleCommand":[])"))).idle_command.empty());
    BOOST_TEST(parse(section("", execution_with(R"("disableAgent":true,"agentPath":"")"))).agent_path.empty());
}

BOOST_AUTO_TEST_CASE(container_names_follow_dockers_rule) {
    BOOST_TEST(parse(section("", execution_with(R"("containername":"ssh_box-1.a")"))).container_name ==
               "ssh_box-1.a");
    refusal(section("", execution_with(R"("containername":"-box")")), "docker.execution.containername");
    refusal(section("", execution_with(R"("containername":"a")")), "docker.execution.containername");
    refusal(section("", execution_with(R"("containername":"my box")")), "docker.execution.containername");
}

BOOST_AUTO_TEST_CASE(unknown_keys_and_wrong_types_name_their_path) {
    refusal(R"({"exec":{}})", "docker.exec");
    refusal(R"({"execution":{"image":"a"}})", "docker.execution.image");
    refusal(R"({"connection":{"hots":"tcp://x"}})", "docker.connection.hots");
    refusal(R"({"timeouts":{"start":"1s"}})", "docker.timeouts.start");
    refusal(R"({"execution":{"disableAgent":"yes"}})", "docker.execution.disableAgent");
    refusal(R"({"execution":{"exposeAuthMetadataAsEnv":1}})", "docker.execution.exposeAuthMetadataAsEnv");
    refusal(R"("docker")", "docker");
}

BOOST_AUTO_TEST_CASE(text_that_is_not_json_is_refused_with_the_code) {
    try {
        parse("{not json");
        BOOST_ERROR("accepted");
    } catch (const csh::sdk::Error& error) {
        BOOST_TEST(std::string(error.code()) == kCode);
        BOOST_TEST(std::string(error.what()) == "the configuration section docker is not valid JSON");
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(effective_config)

BOOST_AUTO_TEST_CASE(a_config_server_changes_image_and_mode) {
    const DockerConfig base = parse(section("", execution_with(R"("host":{"memory":1000})")));
    const std::string effective = R"({"ssh":{"banner":""},"docker":{"execution":{"container":{"image":"per-user:7",)"
                                  R"("env":["USER_TIER=gold"]},"mode":"session"}}})";
    const DockerConfig config = DockerConfig::from_effective_config(effective, base, kCode);
    BOOST_TEST(config.image == "per-user:7");
    BOOST_TEST(config.container_json == R"({"Image":"per-user:7","Env":["USER_TIER=gold"]})");
    BOOST_TEST((config.mode == ExecutionMode::session));
    BOOST_TEST(config.host_json == R"({"memory":1000})");  // kept from the file
    BOOST_TEST(config.shell_command == base.shell_command, boost::test_tools::per_element());
    BOOST_TEST(config.connection.display() == base.connection.display());
}

BOOST_AUTO_TEST_CASE(no_docker_member_leaves_the_base_as_it_is) {
    DockerConfig base = parse(section("", execution_with(R"("mode":"session")")));
    for (const std::string json : {"", "{}", R"({"docker":null})", R"({"backend":"docker"})", "null"}) {
        const DockerConfig config = DockerConfig::from_effective_config(json, base, kCode);
        BOOST_TEST(config.image == "img");
        BOOST_TEST((config.mode == ExecutionMode::session));
    }
}

BOOST_AUTO_TEST_CASE(the_combination_is_checked_after_the_change) {
    const DockerConfig base =
        parse(section("", execution_with(R"("host":{"RestartPolicy":{"Name":"unless-stopped"}})")));
    try {
        DockerConfig::from_effective_config(R"({"docker":{"execution":{"mode":"session"}}})", base, kCode);
        BOOST_ERROR("session mode with a restart policy was accepted");
    } catch (const csh::sdk::Error& error) {
        BOOST_TEST(std::string(error.code()) == kCode);
        BOOST_TEST(std::string(error.what()).find("docker.execution.host.RestartPolicy.Name") != std::string::npos,
                   error.what());
    }
}

BOOST_AUTO_TEST_CASE(a_changed_connection_block_is_read_whole) {
    const DockerConfig base = parse(section(connection_block("tcp://docker", kCaPem)));
    const DockerConfig config = DockerConfig::from_effective_config(
        R"({"docker":{"connection":{"host":"tcp://other:1234"}}})", base, kCode);
    BOOST_TEST(config.connection.display() == "tcp://other:1234");
    BOOST_TEST(!config.connection.tls);
    BOOST_TEST(config.connection.cacert_pem.empty());
}

// The core hands the section over as written (it owns none of its keys), so
// a configuration server's mistakes are this plugin's to name.
BOOST_AUTO_TEST_CASE(a_configuration_server_answer_is_checked_key_by_key) {
    const std::pair<const char*, const char*> cases[] = {
        {R"({"docker":{"execution":{"mode":"session","bogus":1}}})", "docker.execution.bogus"},
        {R"({"docker":{"execution":{"mode":5}}})", "docker.execution.mode"},
        {R"({"docker":{"timeouts":{"signal":true}}})", "docker.timeouts.signal"},
        {R"({"docker":{"connections":{}}})", "docker.connections"},
    };
    for (const auto& [json, path] : cases) {
        BOOST_TEST_CONTEXT(json) {
            try {
                DockerConfig::from_effective_config(json, DockerConfig::defaults(), kCode);
                BOOST_ERROR("accepted");
            } catch (const csh::sdk::Error& error) {
                BOOST_TEST(std::string(error.code()) == kCode);
                BOOST_TEST(std::string(error.what()).find(std::string("invalid configuration at ") + path + ":") !=
                           std::string::npos, error.what());
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(invalid_json_from_the_host_is_an_error_with_the_code) {
    try {
        DockerConfig::from_effective_config("{", DockerConfig::defaults(), kCode);
        BOOST_ERROR("accepted");
    } catch (const csh::sdk::Error& error) {
        BOOST_TEST(std::string(error.code()) == kCode);
    }
}

BOOST_AUTO_TEST_SUITE_END()
