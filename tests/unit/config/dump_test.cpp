// --dump-config: the effective configuration, readable back, secrets hidden.
#include <boost/test/unit_test.hpp>

#include "test_support.hpp"

using csh::config::Config;

namespace {

const std::string kPem =
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
    "-----END OPENSSH PRIVATE KEY-----\n";

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(dump)

BOOST_AUTO_TEST_CASE(secrets_are_redacted) {
    std::string pem_block;
    for (std::size_t start = 0; start < kPem.size();) {
        std::size_t end = kPem.find('\n', start);
        pem_block += "      " + kPem.substr(start, end - start) + "\n";
        start = end + 1;
    }
    const Config config = Config::parse(
        "ssh:\n"
        "  hostkeys:\n"
        "    - /etc/containerssh/host.key\n"
        "    - |\n" +
            pem_block +
            "backend: sshproxy\n"
            "sshproxy:\n"
            "  server: 10.0.0.1\n"
            "  username: root\n"
            "  password: hunter2-sshproxy\n"
            "audit:\n"
            "  s3: {accessKey: AKIAEXAMPLE, secretKey: s3cr3t-value, bucket: audit}\n"
            "docker:\n"
            "  execution:\n"
            "    auth: {username: ci, password: registry-pass, auth: Y2k6cmVnaXN0cnktcGFzcw==}\n"
            "kubernetes:\n"
            "  pod:\n"
            "    spec: {automountServiceAccountToken: false, containers: [{name: c, image: i}]}\n",
        false, "t.yaml");
    BOOST_TEST(config.ssh().host_keys.at(1) == kPem);  // the settings keep the key
    const std::string dump = config.dump_yaml();
    for (const char* secret : {"hunter2-sshproxy", "AKIAEXAMPLE", "s3cr3t-value", "registry-pass",
                               "Y2k6cmVnaXN0cnktcGFzcw", "b3BlbnNzaC1rZX", "PRIVATE KEY"}) {
        BOOST_TEST(!contains(dump, secret), secret);
    }
    BOOST_TEST(contains(dump, "/etc/containerssh/host.key"));  // a file name is no secret
    BOOST_TEST(contains(dump, "password: <redacted>"));
    BOOST_TEST(contains(dump, "- <redacted>"));
    BOOST_TEST(contains(dump, "username: root"));
    // Plugin sections are redacted by key name: a registry user name is no
    // secret, its password and its auth (base64 of user:password) are.
    BOOST_TEST(contains(dump, "username: ci"));
    BOOST_TEST(contains(dump, "bucket: audit"));
    // A switch named like a secret stays readable: it hides nothing.
    BOOST_TEST(contains(dump, "automountServiceAccountToken: false"));
}

BOOST_AUTO_TEST_CASE(the_dump_reads_back_as_the_same_configuration) {
    const Config config = Config::parse(
        "ssh: {listen: \"127.0.0.1:22\", banner: \"Welcome\\nto the lab\\n\", clientAliveInterval: 90s}\n"
        "log: {level: 7}\n"
        "backend: custom\n"
        "custom: {quoted: \"true\", plain: true, number: \"5\", empty: \"\"}\n"
        "auth: {url: http://auth}\n",
        false, "t.yaml");
    const std::string dump = config.dump_yaml();
    const Config again = Config::parse(dump, false, "dump.yaml");
    BOOST_TEST(again.effective_json() == config.effective_json());
    BOOST_TEST(again.deprecations().empty());  // written in the current format
    BOOST_TEST(contains(dump, "clientAliveInterval: 1m30s"));
    BOOST_TEST(contains(dump, "quoted: \"true\""));
}

BOOST_AUTO_TEST_SUITE_END()
