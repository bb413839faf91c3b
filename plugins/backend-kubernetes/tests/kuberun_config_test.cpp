// The legacy kuberun section mapped onto the kubernetes backend.
#include <boost/test/unit_test.hpp>

#include "kubernetes_config.hpp"
#include "test_support.hpp"

using backend_kubernetes::ExecutionMode;
using backend_kubernetes::KubernetesConfig;
using namespace kubernetes_test;

namespace {

KubernetesConfig kuberun(const std::string& json) { return KubernetesConfig::from_kuberun_section(json, kCode); }

}  // namespace

BOOST_FIXTURE_TEST_SUITE(kuberun_section, NoServiceAccount)

BOOST_AUTO_TEST_CASE(defaults_run_in_session_mode_without_the_agent) {
    const KubernetesConfig config = kuberun("null");
    BOOST_TEST(config.from_kuberun);
    BOOST_TEST((config.pod.mode == ExecutionMode::session));
    BOOST_TEST(config.pod.disable_agent);
    BOOST_TEST(config.pod.idle_command.empty());
    BOOST_TEST(config.pod.shell_command.empty());
    BOOST_TEST(!config.exec_disabled);
    BOOST_TEST(config.pod.namespace_name == "default");
    BOOST_TEST(config.pod.console_image == "containerssh/containerssh-guest-image");
    BOOST_TEST(config.connection.endpoint.tcp_host == "kubernetes.default.svc");
    BOOST_TEST(config.timeouts.pod_start.count() == 60000);
    BOOST_TEST(config.timeouts.http.count() == 15000);
    BOOST_REQUIRE(!config.notices.empty());
    BOOST_TEST(std::string(config.notices[0].code) == "KUBERUN_DEPRECATED");
}

// ContainerSSH 0.4's --dump-config of a kuberun section: every Go field,
// lower-cased, with its zero value.
BOOST_AUTO_TEST_CASE(a_dumped_0_4_section) {
    const KubernetesConfig config = kuberun(
        R"({"connection":{"host":"kube.example.com:6443","path":"/api","username":"","password":"","serverName":"",)"
        R"("certFile":"","keyFile":"","cacertFile":"","cert":"","key":"","cacert":)" + quoted(kCaPem) +
        R"(,"bearerToken":")" + kToken + R"(","bearerTokenFile":"","qps":5,"burst":10,"insecure":false,"timeout":"0s"},)"
        R"("pod":{"namespace":"legacy","consoleContainerNumber":0,"podSpec":{"volumes":[],"initcontainers":[],)"
        R"("containers":[{"name":"shell","image":"old-image","command":[],"args":[],"workingdir":"/home",)"
        R"("ports":[],"env":[],"resources":{"limits":{},"requests":{}},"livenessprobe":null,"stdin":false,)"
        R"("imagepullpolicy":"Always"}],"restartpolicy":"","nodeselector":{},"hostnetwork":false,)"
        R"("deprecatedserviceaccount":"","priority":null},"subsystems":{"sftp":"/usr/lib/sftp-server"},)"
        R"("agentPath":"/usr/bin/containerssh-agent","disableAgent":false,"shellCommand":[],"disableCommand":true},)"
        R"("timeout":"1m30s"})");
    BOOST_TEST(config.connection.endpoint.tcp_host == "kube.example.com");
    BOOST_TEST(config.connection.endpoint.tcp_port == 6443);
    BOOST_TEST(config.connection.endpoint.cacert_pem == kCaPem);
    BOOST_TEST(config.connection.bearer_token == kToken);
    BOOST_TEST(config.pod.metadata_json == R"({"namespace":"legacy","generateName":"containerssh-"})");
    BOOST_TEST(config.pod.spec_json ==
               R"({"containers":[{"name":"shell","image":"old-image","workingDir":"/home",)"
               R"("resources":{"limits":{},"requests":{}},"stdin":false,"imagePullPolicy":"Always"}],)"
               R"("hostNetwork":false})");
    BOOST_TEST(config.pod.subsystems.at("sftp") == "/usr/lib/sftp-server");
    BOOST_TEST(config.exec_disabled);
    BOOST_TEST(config.pod.disable_agent);
    BOOST_TEST(config.timeouts.pod_start.count() == 90000);
    BOOST_TEST(config.timeouts.pod_stop.count() == 90000);
    BOOST_TEST(config.timeouts.command_start.count() == 90000);
    BOOST_TEST(config.timeouts.signal.count() == 90000);
    BOOST_TEST(config.timeouts.window.count() == 90000);
    BOOST_TEST(config.timeouts.http.count() == 15000);  // 0s meant none in Go; ours keeps a bound
    BOOST_TEST(kuberun(R"({"connection":{"timeout":"5s"}})").timeouts.http.count() == 5000);
}

BOOST_AUTO_TEST_CASE(insecure_is_refused_with_its_own_code) {
    expect_refused([] { kuberun(R"({"connection":{"insecure":true,"bearerToken":")" + kToken + "\"}}"); },
                   "kuberun.connection.insecure", {kToken}, "KUBERUN_INSECURE");
    BOOST_TEST(!kuberun(R"({"connection":{"insecure":false}})").connection.endpoint.server_name.size());
}

BOOST_AUTO_TEST_CASE(disable_agent_true_gets_a_notice) {
    const KubernetesConfig config = kuberun(R"({"pod":{"disableAgent":true,"shellCommand":["/bin/sh"]}})");
    BOOST_TEST(config.pod.disable_agent);
    BOOST_TEST(config.pod.shell_command == (std::vector<std::string>{"/bin/sh"}));
    BOOST_REQUIRE(config.notices.size() == 2u);
    BOOST_TEST(config.notices[1].key == "kuberun.pod.disableAgent");
}

BOOST_AUTO_TEST_CASE(refusals_name_the_kuberun_key) {
    expect_refused([] { kuberun(R"({"pod":{"podSpec":{"containerz":[{}]}}})"); }, "kuberun.pod.podSpec.containerz");
    expect_refused([] { kuberun(R"({"pod":{"podSpec":{"containers":[{"name":"a","imag":"b"}]}}})"); },
                   "kuberun.pod.podSpec.containers[0].imag");
    expect_refused([] { kuberun(R"({"pod":{"podSpec":{"containers":[{"name":"a"}]}}})"); },
                   "kuberun.pod.podSpec.containers[0].image");
    expect_refused([] { kuberun(R"({"pod":{"namespace":""}})"); }, "kuberun.pod.namespace");
    expect_refused([] { kuberun(R"({"pod":{"metadata":{}}})"); }, "kuberun.pod.metadata");
    expect_refused([] { kuberun(R"({"connection":{"kubeconfig":"/x"}})"); }, "kuberun.connection.kubeconfig");
    expect_refused([] { kuberun(R"({"timeouts":{}})"); }, "kuberun.timeouts");
    expect_refused([] { kuberun(R"({"timeout":"never"})"); }, "kuberun.timeout");
}

BOOST_AUTO_TEST_CASE(effective_config_reads_the_kuberun_member) {
    const KubernetesConfig base = kuberun(R"({"pod":{"namespace":"a"}})");
    const KubernetesConfig changed =
        KubernetesConfig::from_effective_config(R"({"kuberun":{"pod":{"namespace":"b"}}})", base, kCode);
    BOOST_TEST(changed.from_kuberun);
    BOOST_TEST(changed.pod.namespace_name == "b");
    BOOST_TEST(changed.notices.empty());
    BOOST_TEST(KubernetesConfig::from_effective_config(R"({"kubernetes":{}})", base, kCode).pod.namespace_name == "a");
}

BOOST_AUTO_TEST_SUITE_END()
