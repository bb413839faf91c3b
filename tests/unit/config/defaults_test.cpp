// An empty file means ContainerSSH's defaults (reference §2.13), with our
// documented additions (stronger kex/MAC lists, ssh.loginGraceTime, plugins).
#include <boost/test/unit_test.hpp>

#include "test_support.hpp"

using csh::config::Config;
using csh::config::test::Json;
using Strings = std::vector<std::string>;

BOOST_AUTO_TEST_SUITE(defaults)

BOOST_AUTO_TEST_CASE(empty_file_gives_the_reference_ssh_defaults) {
    const Config config = Config::parse("", false, "empty.yaml");
    const auto& ssh = config.ssh();
    BOOST_TEST(ssh.listen == "0.0.0.0:2222");
    BOOST_TEST(ssh.server_version == "SSH-2.0-ContainerSSH");
    BOOST_TEST(ssh.ciphers == (Strings{"chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com",
                                       "aes128-gcm@openssh.com", "aes256-ctr", "aes192-ctr", "aes128-ctr"}),
               boost::test_tools::per_element());
    BOOST_TEST(ssh.kex == (Strings{"mlkem768x25519-sha256", "sntrup761x25519-sha512",
                                   "sntrup761x25519-sha512@openssh.com", "curve25519-sha256",
                                   "curve25519-sha256@libssh.org", "diffie-hellman-group16-sha512",
                                   "diffie-hellman-group18-sha512"}),
               boost::test_tools::per_element());
    BOOST_TEST(ssh.macs == (Strings{"hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com"}),
               boost::test_tools::per_element());
    BOOST_TEST(ssh.banner == "");
    BOOST_TEST(ssh.host_keys.empty());
    BOOST_TEST(ssh.client_alive_interval.count() == 0);
    BOOST_TEST(ssh.client_alive_count_max == 3);
    BOOST_TEST(ssh.login_grace_time.count() == 120000);
    BOOST_TEST(ssh.drain_timeout.count() == 20000);
    BOOST_TEST(ssh.host_key_fingerprints.empty());
}

BOOST_AUTO_TEST_CASE(empty_file_gives_the_reference_log_defaults) {
    const auto log = Config::parse("", false, "empty.yaml").log();
    BOOST_TEST(log.level == CSH_LOG_NOTICE);
    BOOST_TEST((log.format == csh::log::LogSettings::Format::ljson));
    BOOST_TEST((log.destination == csh::log::LogSettings::Destination::stdout_));
    BOOST_TEST(log.file == "/var/log/containerssh/containerssh.log");
    BOOST_TEST(log.syslog.destination == "/dev/log");
    BOOST_TEST(log.syslog.facility == "auth");
    BOOST_TEST(log.syslog.tag == "ContainerSSH");
    BOOST_TEST(log.syslog.pid == false);
}

BOOST_AUTO_TEST_CASE(empty_file_gives_the_reference_health_defaults) {
    const auto health = Config::parse("", false, "empty.yaml").health();
    BOOST_TEST(health.enable == false);
    BOOST_TEST(health.listen == "0.0.0.0:7000");
    BOOST_TEST(health.client_url == "http://127.0.0.1:7000/");
    BOOST_TEST(Config::parse("", false, "empty.yaml").plugins().path.empty());
}

BOOST_AUTO_TEST_CASE(a_comment_only_file_and_the_default_constructor_are_defaults_too) {
    const std::string expected = Config::parse("", false, "a.yaml").effective_json();
    BOOST_TEST(Config::parse("# nothing configured yet\n", false, "b.yaml").effective_json() == expected);
    BOOST_TEST(Config().effective_json() == expected);
}

BOOST_AUTO_TEST_CASE(sections_carry_the_reference_defaults) {
    const Json json(Config::parse("", false, "empty.yaml").effective_json());
    BOOST_TEST(json.text_at("/backend") == "docker");
    BOOST_TEST(json.integer_at("/security/maxSessions") == -1);
    BOOST_TEST(json.text_at("/security/forwarding/x11ForwardingMode") == "disable");
    BOOST_TEST(json.text_at("/security/forwarding/reverseForwardingMode") == "disable");
    BOOST_TEST(json.integer_at("/security/maxForwardListeners") == 16);
    BOOST_TEST(json.text_at("/auth/password/webhook/timeout") == "2s");
    BOOST_TEST(json.text_at("/auth/password/webhook/authTimeout") == "1m0s");
    BOOST_TEST(json.text_at("/auth/password/kerberos/clockSkew") == "5m0s");
    BOOST_TEST(json.text_at("/auth/keyboardInteractive/oauth2/authTimeout") == "2m0s");
    BOOST_TEST(json.text_at("/auth/keyboardInteractive/oauth2/github/apiurl") == "https://api.github.com");
    BOOST_TEST(json.text_at("/configserver/tlsVersion") == "1.3");
    BOOST_TEST(json.bool_at("/configserver/transmitSensitiveMetadata") == false);
    BOOST_TEST(json.text_at("/metrics/listen") == "0.0.0.0:9100");
    BOOST_TEST(json.text_at("/metrics/path") == "/metrics");
    BOOST_TEST(json.text_at("/geoip/provider") == "dummy");
    BOOST_TEST(json.text_at("/ssh/loginGraceTime") == "2m0s");
    BOOST_TEST(json.text_at("/ssh/clientAliveInterval") == "0s");
}

// A backend's or an audit storage's section belongs to its plugin, which
// fills its defaults (plugins/backend-docker/tests: docker_config_test): the
// core hands over what the file wrote, and nothing when it wrote nothing.
BOOST_AUTO_TEST_CASE(plugin_sections_get_no_defaults_from_the_core) {
    const Config empty = Config::parse("", false, "empty.yaml");
    const Json json(empty.effective_json());
    for (const char* path : {"/docker", "/kubernetes", "/sshproxy", "/audit/file", "/audit/s3"}) {
        BOOST_TEST_INFO(path);
        BOOST_TEST(!json.has(path));
    }
    BOOST_TEST(empty.section_json("docker") == "null");
    const Config written = Config::parse("docker: {execution: {mode: session}}", false, "docker.yaml");
    BOOST_TEST(written.section_json("docker") == R"({"execution":{"mode":"session"}})");
}

BOOST_AUTO_TEST_SUITE_END()
