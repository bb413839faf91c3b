// The kubernetes section: every default, every key, and the refusals, each
// naming its key path and never a secret.
#include <boost/test/unit_test.hpp>

#include "kubernetes_config.hpp"
#include "test_support.hpp"

#include <simdjson.h>

using backend_kubernetes::CredentialSource;
using backend_kubernetes::ExecutionMode;
using backend_kubernetes::KubernetesConfig;
using namespace kubernetes_test;
using namespace std::chrono_literals;

namespace {

KubernetesConfig parse(const std::string& json) { return KubernetesConfig::from_section(json, kCode); }

}  // namespace

BOOST_FIXTURE_TEST_SUITE(kubernetes_section, NoServiceAccount)

BOOST_AUTO_TEST_CASE(defaults_are_containersshs) {
    for (const char* section : {"null", "{}"}) {
        const KubernetesConfig config = parse(section);
        BOOST_TEST((config.connection.endpoint.kind == csh::loop_http::Endpoint::Kind::tcp));
        BOOST_TEST(config.connection.endpoint.tls);
        BOOST_TEST(config.connection.endpoint.tcp_host == "kubernetes.default.svc");
        BOOST_TEST(config.connection.endpoint.tcp_port == 443);
        BOOST_TEST(config.connection.endpoint.cacert_pem.empty());
        BOOST_TEST(config.connection.endpoint.server_name.empty());
        BOOST_TEST(config.connection.api_path == "/api");
        BOOST_TEST(config.connection.qps == 5.0);
        BOOST_TEST(config.connection.burst == 10u);
        BOOST_TEST(config.connection.bearer_token.empty());
        BOOST_TEST(config.connection.bearer_token_file.empty());
        BOOST_TEST(config.connection.username.empty());
        BOOST_TEST(config.connection.password.empty());
        BOOST_TEST((config.connection.source == CredentialSource::settings));
        BOOST_TEST(config.connection.display() == "https://kubernetes.default.svc:443/api");
        BOOST_TEST(config.connection.describe_authentication() == "none");

        BOOST_TEST(config.pod.metadata_json == R"({"namespace":"default","generateName":"containerssh-"})");
        BOOST_TEST(config.pod.spec_json ==
                   R"({"containers":[{"name":"shell","image":"containerssh/containerssh-guest-image"}]})");
        BOOST_TEST(config.pod.namespace_name == "default");
        BOOST_TEST(config.pod.pod_name.empty());
        BOOST_TEST(config.pod.console_container == "shell");
        BOOST_TEST(config.pod.console_image == "containerssh/containerssh-guest-image");
        BOOST_TEST(config.pod.console_container_number == 0u);
        BOOST_TEST((config.pod.mode == ExecutionMode::connection));
        BOOST_TEST(!config.pod.create_missing_pods);
        BOOST_TEST(config.pod.idle_command == (std::vector<std::string>{"/usr/bin/containerssh-agent", "wait-signal",
                                                                        "--signal", "INT", "--signal", "TERM"}));
        BOOST_TEST(config.pod.shell_command == (std::vector<std::string>{"/bin/bash"}));
        BOOST_TEST(config.pod.agent_path == "/usr/bin/containerssh-agent");
        BOOST_TEST(!config.pod.disable_agent);
        BOOST_TEST(config.pod.subsystems.size() == 1u);
        BOOST_TEST(config.pod.subsystems.at("sftp") == "/usr/lib/openssh/sftp-server");
        BOOST_TEST(config.pod.expose_auth_metadata_as_env.empty());
        BOOST_TEST(config.pod.expose_auth_metadata_as_labels.empty());
        BOOST_TEST(config.pod.expose_auth_metadata_as_annotations.empty());

        BOOST_TEST(config.timeouts.pod_start.count() == 60000);
        BOOST_TEST(config.timeouts.pod_stop.count() == 60000);
        BOOST_TEST(config.timeouts.command_start.count() == 60000);
        BOOST_TEST(config.timeouts.signal.count() == 60000);
        BOOST_TEST(config.timeouts.window.count() == 60000);
        BOOST_TEST(config.timeouts.http.count() == 15000);
        BOOST_TEST(!config.from_kuberun);
        BOOST_TEST(!config.exec_disabled);
        BOOST_TEST(config.notices.empty());
    }
    BOOST_TEST(KubernetesConfig::defaults().pod.namespace_name == "default");
}

BOOST_AUTO_TEST_SUITE_END()
