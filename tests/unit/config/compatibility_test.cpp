// ContainerSSH files keep working: the 0.4 format, regression files,
// free-form Docker/Kubernetes objects, and sections of third-party plugins.
#include <sstream>

#include <boost/test/unit_test.hpp>

#include "file_contents.hpp"
#include "temp_dir.hpp"
#include "test_support.hpp"

using csh::config::Config;
using csh::config::test::data_file;
using csh::config::test::Json;
using csh::config::test::parse_error;
using csh::test::read_file;
using csh::test::TempDir;
using csh::test::write_file;

namespace {

// The regression file holds a bare kubernetes section, as ContainerSSH's own test reads it.
std::string as_kubernetes_section(const std::string& section) {
    std::istringstream lines(section);
    std::string out = "backend: kubernetes\nkubernetes:\n";
    for (std::string line; std::getline(lines, line);) out += "  " + line + "\n";
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(compatibility)

BOOST_AUTO_TEST_CASE(the_0_4_file_loads_with_legacy_auth_mapped) {
    const Config config = Config::load(data_file("config-0.4.yaml"));
    BOOST_TEST(config.ssh().listen == "0.0.0.0:2222");
    BOOST_TEST(config.ssh().kex.size() == 4u);  // as the file lists them

    const Json auth(config.section_json("auth"));
    for (const char* block : {"/password", "/publicKey"}) {
        const std::string b(block);
        BOOST_TEST(auth.text_at(b + "/method") == "webhook");
        BOOST_TEST(auth.text_at(b + "/webhook/url") == "http://localhost:8080");
        BOOST_TEST(auth.text_at(b + "/webhook/timeout") == "2s");
        BOOST_TEST(auth.text_at(b + "/webhook/authTimeout") == "1m0s");
        BOOST_TEST(auth.size_at(b + "/webhook/curves") == 4u);
    }
    BOOST_TEST(!auth.has("/url"));
    BOOST_TEST(!auth.has("/pubkey"));

    BOOST_REQUIRE(config.deprecations().size() == 1u);
    const std::string& note = config.deprecations().front();
    BOOST_TEST(note.find("config-0.4.yaml:") != std::string::npos);
    BOOST_TEST(note.find("auth.password.webhook and auth.publicKey.webhook") != std::string::npos);

    // The Docker container object of the 0.4 dump is passed on as written.
    const Json docker(config.section_json("docker"));
    BOOST_TEST(docker.text_at("/execution/container/image") == "containerssh/containerssh-guest-image");
    BOOST_TEST(docker.bool_at("/execution/container/attachstdin") == false);
    BOOST_TEST((docker.type_at("/execution/container/healthcheck") == simdjson::dom::element_type::NULL_VALUE));
    BOOST_TEST((docker.type_at("/execution/host") == simdjson::dom::element_type::NULL_VALUE));
    BOOST_TEST(docker.text_at("/timeouts/containerStart") == "1m0s");

    const auto providers = config.required_providers();
    BOOST_REQUIRE(providers.size() == 2u);
    BOOST_TEST(providers[0].provides == "backend/docker");
    BOOST_TEST(providers[1].provides == "auth/webhook");
    BOOST_TEST(providers[1].key_path == "auth.password.method");
}

BOOST_AUTO_TEST_CASE(legacy_switches_are_honoured) {
    const Config config = Config::parse("auth:\n  url: http://auth\n  pubkey: false\n", false, "t.yaml");
    const Json auth(config.section_json("auth"));
    BOOST_TEST(auth.text_at("/password/method") == "webhook");
    BOOST_TEST(auth.text_at("/publicKey/method") == "");
    BOOST_TEST(config.deprecations().size() == 1u);

    const auto error = parse_error("auth:\n  url: http://auth\n  timeout: fast\n");
    BOOST_TEST(error.key_path() == "auth.timeout");
    BOOST_TEST(error.line() == 3);
}

BOOST_AUTO_TEST_CASE(the_issue_209_kubernetes_section_loads) {
    const Config config = Config::parse(as_kubernetes_section(read_file(data_file("config-issue-209.yaml"))),
                                        false, "issue-209.yaml");
    const Json kubernetes(config.section_json("kubernetes"));
    BOOST_TEST(kubernetes.text_at("/connection/bearerTokenFile") ==
               "/var/run/secrets/kubernetes.io/serviceaccount/token");
    BOOST_TEST(kubernetes.text_at("/connection/cacert") == "<cacert>\n");
    BOOST_TEST(kubernetes.text_at("/pod/metadata/namespace") == "tp-112520");
    // The backend's plugin owns the section's defaults: the core adds none.
    BOOST_TEST(!kubernetes.has("/pod/metadata/generateName"));
    BOOST_TEST(kubernetes.text_at("/pod/spec/volumes/0/hostPath/type") == "Directory");
    BOOST_TEST(kubernetes.size_at("/pod/spec/containers") == 1u);
    BOOST_TEST(config.required_providers().front().provides == "backend/kubernetes");
}

BOOST_AUTO_TEST_CASE(docker_api_objects_are_free_form) {
    const Config config = Config::parse(
        "docker:\n"
        "  execution:\n"
        "    container:\n"
        "      Image: ubuntu:24.04\n"
        "      anyFutureDockerField: {nested: [1, two]}\n"
        "    host:\n"
        "      binds: [\"/srv:/srv:ro\"]\n"
        "      restartPolicy: {name: \"no\"}\n"
        "    auth: {username: ci, password: s3cret}\n",
        false, "t.yaml");
    const Json docker(config.section_json("docker"));
    // Docker reads field names regardless of case: the file's Image replaces the default image.
    BOOST_TEST(docker.text_at("/execution/container/Image") == "ubuntu:24.04");
    BOOST_TEST(!docker.has("/execution/container/image"));
    BOOST_TEST(docker.integer_at("/execution/container/anyFutureDockerField/nested/0") == 1);
    BOOST_TEST(docker.text_at("/execution/host/restartPolicy/name") == "no");
    BOOST_TEST(docker.text_at("/execution/auth/password") == "s3cret");  // plugins get secrets
}

BOOST_AUTO_TEST_CASE(kubernetes_pod_objects_are_free_form) {
    const Config config = Config::parse("kubernetes: {pod: {spec: {hostNetwork: true, dnsPolicy: None}}}", false,
                                        "t.yaml");
    const Json kubernetes(config.section_json("kubernetes"));
    BOOST_TEST(kubernetes.bool_at("/pod/spec/hostNetwork") == true);
    BOOST_TEST(!kubernetes.has("/pod/spec/containers"));  // no default from the core
}

BOOST_AUTO_TEST_CASE(a_third_party_backend_section_only_when_selected) {
    const std::string section = "local:\n  shell: /bin/sh\n  limits: {cpu: 2}\n";
    const Config config = Config::parse("backend: local\n" + section, false, "t.yaml");
    const Json local(config.section_json("local"));
    BOOST_TEST(local.text_at("/shell") == "/bin/sh");
    BOOST_TEST(local.integer_at("/limits/cpu") == 2);
    BOOST_TEST(config.required_providers().front().provides == "backend/local");
    BOOST_TEST(Json(config.effective_json()).text_at("/local/shell") == "/bin/sh");

    const auto error = parse_error("backend: docker\n" + section);
    BOOST_TEST(error.key_path() == "local");
    BOOST_TEST(error.line() == 2);
    BOOST_TEST(std::string(error.what()).find("backend: local") != std::string::npos);
    BOOST_TEST(parse_error(section).key_path() == "local");  // default backend is docker
    BOOST_TEST(Config::parse("", false, "t").section_json("local") == "null");
}

BOOST_AUTO_TEST_CASE(a_third_party_auth_method_block_only_when_selected) {
    const Config config =
        Config::parse("auth:\n  password:\n    method: static\n    static: {users: {alice: x}}\n", false, "t.yaml");
    BOOST_TEST(Json(config.section_json("auth")).text_at("/password/static/users/alice") == "x");
    const auto providers = config.required_providers();
    BOOST_TEST(providers[1].provides == "auth/static");
    BOOST_TEST(providers[1].key_path == "auth.password.method");

    BOOST_TEST(parse_error("auth:\n  password:\n    method: webhook\n    static: {}\n").key_path() ==
               "auth.password.static");
    BOOST_TEST(Config::parse("audit: {enable: true, storage: gcs, gcs: {bucket: b}}", false, "t")
                   .required_providers()
                   .back()
                   .provides == "audit/gcs");
}

BOOST_AUTO_TEST_CASE(a_json_file_works) {
    TempDir dir;
    write_file(dir.file("config.json"),
               "{\n"
               "  \"ssh\": {\"listen\": \"127.0.0.1:2200\", \"clientAliveInterval\": \"30s\"},\n"
               "  \"auth\": {\"password\": {\"method\": \"webhook\", \"webhook\": {\"url\": \"http://a\"}}},\n"
               "  \"log\": {\"level\": \"debug\"},\n"
               "  \"metrics\": {\"enable\": true}\n"
               "}\n");
    const Config config = Config::load(dir.file("config.json"));
    BOOST_TEST(config.ssh().listen == "127.0.0.1:2200");
    BOOST_TEST(config.ssh().client_alive_interval.count() == 30000);
    BOOST_TEST(config.log().level == CSH_LOG_DEBUG);
    BOOST_TEST(config.required_providers().back().provides == "metrics/prometheus");

    write_file(dir.file("bad.json"), "{\n  \"ssh\": {\n    \"listn\": \"x\"\n  }\n}\n");
    try {
        Config::load(dir.file("bad.json"));
        BOOST_FAIL("no error");
    } catch (const csh::config::ConfigError& error) {
        BOOST_TEST(error.key_path() == "ssh.listn");
        BOOST_TEST(error.line() == 3);
    }
}

BOOST_AUTO_TEST_SUITE_END()
