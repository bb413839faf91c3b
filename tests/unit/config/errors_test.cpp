// Every mistake names the key path and, for a file, the line.
#include <boost/test/unit_test.hpp>

#include "file_contents.hpp"
#include "temp_dir.hpp"
#include "test_support.hpp"

using csh::config::Config;
using csh::config::ConfigError;
using csh::config::test::parse_error;
using csh::test::TempDir;

namespace {

bool mentions(const ConfigError& error, const std::string& text) {
    return std::string(error.what()).find(text) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(errors)

BOOST_AUTO_TEST_CASE(unknown_top_level_key_names_key_and_line) {
    const ConfigError error = parse_error("ssh:\n  listen: 0.0.0.0:2222\nsshd:\n  banner: hi\n");
    BOOST_TEST(error.key_path() == "sshd");
    BOOST_TEST(error.line() == 3);
    BOOST_TEST(std::string(error.what()).rfind("test.yaml:3: sshd: unknown key \"sshd\"", 0) == 0);
    BOOST_TEST(mentions(error, "did you mean \"ssh\"?"));
    BOOST_TEST(error.code() == std::string("CORE_CONFIG_ERROR"));
}

BOOST_AUTO_TEST_CASE(unknown_key_inside_ssh) {
    const ConfigError error = parse_error("ssh:\n  listen: 0.0.0.0:2222\n  hostKeys: []\n");
    BOOST_TEST(error.key_path() == "ssh.hostKeys");
    BOOST_TEST(error.line() == 3);
    BOOST_TEST(mentions(error, "did you mean \"hostkeys\"?"));
}

BOOST_AUTO_TEST_CASE(unknown_key_deep_inside_an_auth_webhook) {
    const ConfigError error = parse_error(
        "auth:\n"
        "  password:\n"
        "    method: webhook\n"
        "    webhook:\n"
        "      url: http://auth:8080\n"
        "      timout: 5s\n");
    BOOST_TEST(error.key_path() == "auth.password.webhook.timout");
    BOOST_TEST(error.line() == 6);
    BOOST_TEST(mentions(error, "did you mean \"timeout\"?"));
}

BOOST_AUTO_TEST_CASE(wrong_type_for_ssh_listen) {
    const ConfigError error = parse_error("ssh:\n  listen: [1]\n");
    BOOST_TEST(error.key_path() == "ssh.listen");
    BOOST_TEST(error.line() == 2);
    BOOST_TEST(mentions(error, "expected a text, found a list"));
}

BOOST_AUTO_TEST_CASE(listen_without_a_port) {
    const ConfigError error = parse_error("ssh:\n  listen: nohost\n");
    BOOST_TEST(error.key_path() == "ssh.listen");
    BOOST_TEST(error.line() == 2);
    BOOST_TEST(mentions(error, "expected host:port"));
}

BOOST_AUTO_TEST_CASE(listen_port_out_of_range) {
    const ConfigError error = parse_error("ssh:\n  listen: 0.0.0.0:70000\n");
    BOOST_TEST(error.key_path() == "ssh.listen");
    BOOST_TEST(mentions(error, "to 65535"));
}

BOOST_AUTO_TEST_CASE(listen_addresses_that_are_accepted) {
    for (const char* address :
         {"0.0.0.0:2222", "[::]:2222", "[::1]:22", "localhost:1", "ssh.example.com:65535", "127.0.0.1:0"}) {
        BOOST_TEST(Config::parse(std::string("ssh: {listen: \"") + address + "\"}", false, "t.yaml").ssh().listen ==
                   address);
    }
    BOOST_TEST(parse_error("ssh: {listen: \"::1:22\"}").key_path() == "ssh.listen");
    BOOST_TEST(parse_error("ssh: {listen: \"999.1.1.1:22\"}").key_path() == "ssh.listen");
    BOOST_TEST(parse_error("health: {listen: \":7000\"}").key_path() == "health.listen");
}

BOOST_AUTO_TEST_CASE(client_alive_interval_below_one_second) {
    const ConfigError error = parse_error("ssh:\n  clientAliveInterval: 500ms\n");
    BOOST_TEST(error.key_path() == "ssh.clientAliveInterval");
    BOOST_TEST(error.line() == 2);
    BOOST_TEST(mentions(error, "at least 1s"));
    BOOST_TEST(Config::parse("ssh: {clientAliveInterval: 1m30s}", false, "t").ssh().client_alive_interval.count() ==
               90000);
}

BOOST_AUTO_TEST_CASE(bad_values_in_core_sections) {
    BOOST_TEST(parse_error("ssh: {clientAliveCountMax: 0}").key_path() == "ssh.clientAliveCountMax");
    BOOST_TEST(parse_error("ssh: {serverVersion: SSH-1.99-old}").key_path() == "ssh.serverVersion");
    BOOST_TEST(parse_error("ssh: {serverVersion: \"SSH-2.0-a-b\"}").key_path() == "ssh.serverVersion");
    const ConfigError cipher = parse_error("ssh:\n  ciphers:\n    - aes128-ctr\n    - rot13\n");
    BOOST_TEST(cipher.key_path() == "ssh.ciphers[1]");
    BOOST_TEST(cipher.line() == 4);
    BOOST_TEST(parse_error("ssh: {kex: []}").key_path() == "ssh.kex");
    BOOST_TEST(parse_error("ssh: {macs: hmac-sha2-256}").key_path() == "ssh.macs");
    BOOST_TEST(parse_error("ssh: {clientAliveInterval: soon}").key_path() == "ssh.clientAliveInterval");
    BOOST_TEST(parse_error("log: {level: verbose}").key_path() == "log.level");
    BOOST_TEST(parse_error("log: {format: xml}").key_path() == "log.format");
    BOOST_TEST(parse_error("log: {syslog: {facility: local9}}").key_path() == "log.syslog.facility");
    BOOST_TEST(parse_error("health: {enable: maybe}").key_path() == "health.enable");
    BOOST_TEST(parse_error("health: {client: {url: ftp://x}}").key_path() == "health.client.url");
    BOOST_TEST(parse_error("plugins: {path: [\"\"]}").key_path() == "plugins.path[0]");
    BOOST_TEST(parse_error("security: {defaultMode: allow}").key_path() == "security.defaultMode");
    BOOST_TEST(parse_error("security: {maxSessions: -2}").key_path() == "security.maxSessions");
    // A plugin's section (docker, kubernetes, audit.s3, ...) is checked by
    // its plugin, with the same key paths: docker_config_test, for example.
    BOOST_TEST(parse_error("docker: [1]").key_path() == "docker");
    BOOST_TEST(parse_error("backend: \"\"").key_path() == "backend");
}

BOOST_AUTO_TEST_CASE(log_levels_by_name_and_number) {
    BOOST_TEST(Config::parse("log: {level: debug}", false, "t").log().level == CSH_LOG_DEBUG);
    BOOST_TEST(Config::parse("log: {level: 3}", false, "t").log().level == CSH_LOG_ERROR);
    const auto log = Config::parse("log: {destination: syslog, format: text, syslog: {facility: local3, pid: yes}}",
                                   false, "t")
                         .log();
    BOOST_TEST((log.destination == csh::log::LogSettings::Destination::syslog));
    BOOST_TEST((log.format == csh::log::LogSettings::Format::text));
    BOOST_TEST(log.syslog.facility == "local3");
    BOOST_TEST(log.syslog.pid == true);
}

BOOST_AUTO_TEST_CASE(root_listen_points_to_ssh_listen) {
    const ConfigError error = parse_error("listen: 0.0.0.0:2222\n");
    BOOST_TEST(error.key_path() == "listen");
    BOOST_TEST(error.line() == 1);
    BOOST_TEST(mentions(error, "ssh.listen"));
}

BOOST_AUTO_TEST_CASE(removed_backends_say_what_replaces_them) {
    BOOST_TEST(mentions(parse_error("backend: dockerrun\n"), "backend: docker"));
    BOOST_TEST(parse_error("dockerrun: {}\n").key_path() == "dockerrun");
    // kuberun still runs: the Kubernetes plugin maps its section (KUBERUN_DEPRECATED).
    BOOST_TEST(csh::config::Config::parse("backend: kuberun\nkuberun: {pod: {namespace: x}}\n", false, "t.yaml")
                   .section_json("kuberun") == R"({"pod":{"namespace":"x"}})");
}

BOOST_AUTO_TEST_CASE(syntax_errors_duplicates_and_shape) {
    const ConfigError syntax = parse_error("ssh:\n  ciphers: [aes128-ctr\nlog: {}\n");
    BOOST_TEST(syntax.line() == 3);
    BOOST_TEST(mentions(syntax, "not valid YAML/JSON"));
    const ConfigError duplicate = parse_error("ssh:\n  listen: 0.0.0.0:22\n  listen: 0.0.0.0:23\n");
    BOOST_TEST(duplicate.key_path() == "ssh.listen");
    BOOST_TEST(duplicate.line() == 3);
    BOOST_TEST(mentions(parse_error("- ssh\n"), "must be a mapping of sections"));
    BOOST_TEST(mentions(parse_error("a: 1\n---\nb: 2\n"), "2 YAML documents"));
}

BOOST_AUTO_TEST_CASE(unreadable_file_has_an_empty_key_path_and_the_os_error) {
    TempDir dir;
    try {
        Config::load(dir.file("missing.yaml"));
        BOOST_FAIL("no error");
    } catch (const ConfigError& error) {
        BOOST_TEST(error.key_path() == "");
        BOOST_TEST(error.line() == 0);
        BOOST_TEST(error.source() == dir.file("missing.yaml"));
        BOOST_TEST(mentions(error, "No such file or directory"));
    }
}

BOOST_AUTO_TEST_CASE(errors_in_a_loaded_file_name_the_file) {
    TempDir dir;
    csh::test::write_file(dir.file("config.yaml"), "ssh:\n  listen: 0.0.0.0:2222\n  banner: [x]\n");
    try {
        Config::load(dir.file("config.yaml"));
        BOOST_FAIL("no error");
    } catch (const ConfigError& error) {
        BOOST_TEST(std::string(error.what()).rfind(dir.file("config.yaml") + ":3: ssh.banner: ", 0) == 0);
    }
}

BOOST_AUTO_TEST_CASE(secrets_never_appear_in_type_errors) {
    const ConfigError error = parse_error("configserver: {key: [hunter2]}");
    BOOST_TEST(error.key_path() == "configserver.key");
    BOOST_TEST(!mentions(error, "hunter2"));
    // A password written where 0.4 expected true/false.
    const ConfigError legacy = parse_error("auth:\n  url: http://auth\n  password: hunter2\n");
    BOOST_TEST(legacy.key_path() == "auth.password");
    BOOST_TEST(legacy.line() == 3);
    BOOST_TEST(!mentions(legacy, "hunter2"));
}

// yaml-cpp 0.7 never consumed a ',' outside [...] and {...} at the top
// level and made empty documents for ever, until memory ran out (found by
// fuzz/config_fuzz.cpp).
BOOST_AUTO_TEST_CASE(a_stray_comma_is_an_error_not_a_hang) {
    const ConfigError trailing = parse_error("{\"ssh\": {\"listen\": \"0.0.0.0:2222\"}},\n", true);
    BOOST_TEST(trailing.line() == 1);
    BOOST_TEST(mentions(trailing, "not valid YAML/JSON"));
    BOOST_TEST(parse_error(",").line() == 1);
    BOOST_TEST(parse_error("ssh: {}\n---\n,\n").line() == 3);
    try {
        (void)Config().merged_with("{\"log\": {\"level\": \"debug\"}},", "configuration server response");
        BOOST_FAIL("no error");
    } catch (const ConfigError& error) {
        BOOST_TEST(mentions(error, "not valid YAML/JSON"));
    }
}

BOOST_AUTO_TEST_CASE(alias_bombs_are_refused) {
    std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i < 8; ++i) {
        const std::string previous = "*a" + std::to_string(i - 1);
        text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + previous;
        for (int j = 0; j < 9; ++j) text += ", " + previous;
        text += "]\n";
    }
    BOOST_TEST(mentions(parse_error(text), "too large"));
}

// ssh.drainTimeout: 0 (close at once) or a drain of at least a second.
BOOST_AUTO_TEST_CASE(drain_timeout_is_zero_or_at_least_a_second) {
    BOOST_TEST(Config::parse("ssh:\n  drainTimeout: 0s\n", false, "t").ssh().drain_timeout.count() == 0);
    BOOST_TEST(Config::parse("ssh:\n  drainTimeout: 1m30s\n", false, "t").ssh().drain_timeout.count() == 90000);
    BOOST_TEST(parse_error("ssh:\n  drainTimeout: 500ms\n").key_path() == "ssh.drainTimeout");
    BOOST_TEST(parse_error("ssh:\n  drainTimeout: -1s\n").key_path() == "ssh.drainTimeout");
}

// Only what ssh-keygen -l -E sha256 prints: an MD5 fingerprint or a typo
// would refuse every start with a mismatch instead of naming the mistake.
BOOST_AUTO_TEST_CASE(host_key_fingerprints_must_be_sha256) {
    const std::string good = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";
    BOOST_TEST(Config::parse("ssh:\n  hostKeyFingerprints: [\"" + good + "\"]\n", false, "t")
                   .ssh()
                   .host_key_fingerprints == std::vector<std::string>{good});
    for (const std::string bad : {"MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48", "SHA256:", "uNiVztksCsDh",
                                  "SHA256:uNiVztk=", "SHA256:uNi Vztk"}) {
        const ConfigError error = parse_error("ssh:\n  hostKeyFingerprints:\n    - " + good + "\n    - \"" + bad + "\"\n");
        BOOST_TEST(error.key_path() == "ssh.hostKeyFingerprints[1]", bad);
    }
}

// ContainerSSH's Unix-socket forwarding modes: the refusing values start,
// enable is refused with the reason instead of being accepted and ignored,
// from the file and from a configuration server's answer alike.
BOOST_AUTO_TEST_CASE(unix_socket_forwarding_can_only_be_refused) {
    for (const std::string mode : {"disable", "filter", "\"\""}) {
        BOOST_CHECK_NO_THROW(Config::parse("security:\n  forwarding:\n    socketForwardingMode: " + mode +
                                               "\n    socketListenMode: " + mode + "\n",
                                           false, "t"));
    }
    for (const std::string key : {"socketForwardingMode", "socketListenMode"}) {
        const ConfigError error = parse_error("security:\n  forwarding:\n    " + key + ": enable\n");
        BOOST_TEST(error.key_path() == "security.forwarding." + key);
        BOOST_TEST(error.line() == 3);
        BOOST_TEST(mentions(error, "Unix-socket forwarding is not supported"), error.what());
        const Config file = Config::parse("ssh:\n  listen: 127.0.0.1:2222\n", false, "t");
        try {
            (void)file.merged_with(R"({"security": {"forwarding": {")" + key + R"(": "enable"}}})", "config server");
            BOOST_FAIL("a configuration server enabling " + key + " was accepted");
        } catch (const ConfigError& merged_error) {
            BOOST_TEST(merged_error.key_path() == "security.forwarding." + key);
            BOOST_TEST(mentions(merged_error, "Unix-socket forwarding is not supported"), merged_error.what());
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
