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

BOOST_AUTO_TEST_CASE(connection_keys) {
    ScratchDir dir;
    const std::string token_file = dir.write("token", kToken + "\n");
    const KubernetesConfig config = parse(
        R"({"connection":{"host":"https://api.example.com:6443/k8s/clusters/c-1","path":"/api/","serverName":"api.internal",)"
        R"("cacert":)" + quoted(kCaPem) + R"(,"cert":)" + quoted(kCertPem) + R"(,"key":)" + quoted(kKeyPem) +
        R"(,"bearerTokenFile":")" + token_file + R"(","qps":2.5,"burst":3}})");
    const auto& endpoint = config.connection.endpoint;
    BOOST_TEST(endpoint.tcp_host == "api.example.com");
    BOOST_TEST(endpoint.tcp_port == 6443);
    BOOST_TEST(endpoint.tls);
    BOOST_TEST(endpoint.server_name == "api.internal");
    BOOST_TEST(endpoint.cacert_pem == kCaPem);
    BOOST_TEST(endpoint.cert_pem == kCertPem);
    BOOST_TEST(endpoint.key_pem == kKeyPem);
    BOOST_TEST(config.connection.api_path == "/k8s/clusters/c-1/api");
    BOOST_TEST(config.connection.bearer_token_file == token_file);
    BOOST_TEST(config.connection.qps == 2.5);
    BOOST_TEST(config.connection.burst == 3u);
    BOOST_TEST(config.connection.describe_authentication() == "bearer token file and client certificate");
    BOOST_TEST(config.notices.empty());
}

BOOST_AUTO_TEST_CASE(host_forms_as_containerssh_takes_them) {
    struct Case {
        const char* host;
        const char* tcp_host;
        uint16_t port;
    };
    for (const Case& c : {Case{"kube.local", "kube.local", 443}, Case{"kube.local:6443", "kube.local", 6443},
                          Case{"https://kube.local", "kube.local", 443}, Case{"HTTPS://kube.local:8443/", "kube.local", 8443},
                          Case{"10.0.0.1:6443", "10.0.0.1", 6443}, Case{"[fd00::1]:6443", "fd00::1", 6443},
                          Case{"https://[fd00::1]", "fd00::1", 443}}) {
        BOOST_TEST_CONTEXT(c.host) {
            const KubernetesConfig config = parse(std::string(R"({"connection":{"host":")") + c.host + "\"}}");
            BOOST_TEST(config.connection.endpoint.tcp_host == c.tcp_host);
            BOOST_TEST(config.connection.endpoint.tcp_port == c.port);
            BOOST_TEST(config.connection.api_path == "/api");
        }
    }
    BOOST_TEST(parse(R"({"connection":{"host":"[fd00::1]:6443"}})").connection.display() == "https://[fd00::1]:6443/api");
}

BOOST_AUTO_TEST_CASE(connection_refusals_name_the_key) {
    expect_refused([] { parse(R"({"connection":{"hots":"x"}})"); }, "kubernetes.connection.hots");
    expect_refused([] { parse(R"({"connection":{"host":"http://kube:8080"}})"); }, "kubernetes.connection.host");
    expect_refused([] { parse(R"({"connection":{"host":"ftp://kube"}})"); }, "kubernetes.connection.host");
    expect_refused([] { parse(R"({"connection":{"host":"kube:99999"}})"); }, "kubernetes.connection.host");
    expect_refused([] { parse(R"({"connection":{"host":"fd00::1"}})"); }, "kubernetes.connection.host");
    expect_refused([] { parse(R"({"connection":{"host":"user:pw@kube"}})"); }, "kubernetes.connection.host", {"pw@"});
    expect_refused([] { parse(R"({"connection":{"host":""}})"); }, "kubernetes.connection.host");
    expect_refused([] { parse(R"({"connection":{"path":"api"}})"); }, "kubernetes.connection.path");
    expect_refused([] { parse(R"({"connection":{"qps":0}})"); }, "kubernetes.connection.qps");
    expect_refused([] { parse(R"({"connection":{"burst":0}})"); }, "kubernetes.connection.burst");
    expect_refused([] { parse(R"({"connection":{"burst":"ten"}})"); }, "kubernetes.connection.burst");
    // Inline keys hold PEM; a secret pasted without its BEGIN line stays out of the message.
    expect_refused([] { parse(R"({"connection":{"key":"U0VDUkVUS0VZ"}})"); }, "kubernetes.connection.key",
                   {"U0VDUkVUS0VZ"});
    expect_refused([] { parse(R"({"connection":{"cacert":"/etc/ca.pem"}})"); }, "kubernetes.connection.cacert");
    expect_refused([] { parse(R"({"connection":{"cacertFile":"/nonexistent/ca.pem"}})"); },
                   "kubernetes.connection.cacertFile", {"/nonexistent"});
    expect_refused([] { parse(R"({"connection":{"bearerTokenFile":"/nonexistent/token"}})"); },
                   "kubernetes.connection.bearerTokenFile");
    expect_refused([] { parse(R"({"connection":{"username":"u","password":")" + kPassword + R"(","bearerToken":")" +
                              kToken + "\"}}"); },
                   "kubernetes.connection.username", {kPassword, kToken});
    expect_refused([] { parse(R"({"connection":{"kubeconfigContext":"prod"}})"); },
                   "kubernetes.connection.kubeconfigContext");
    expect_refused([] { parse(R"({"connection":"kube"})"); }, "kubernetes.connection");
    expect_refused([] { parse(R"({"conection":{}})"); }, "kubernetes.conection");
    expect_refused([] { parse("[1"); }, "kubernetes");
}

BOOST_AUTO_TEST_CASE(pem_files_and_inline_text) {
    ScratchDir dir;
    const std::string ca = dir.write("ca.crt", kCaPem);
    const std::string cert = dir.write("client.crt", kCertPem);
    const std::string key = dir.write("client.key", kKeyPem);
    const std::string not_pem = dir.write("token", kToken);
    const KubernetesConfig files = parse(R"({"connection":{"cacertFile":")" + ca + R"(","certFile":")" + cert +
                                         R"(","keyFile":")" + key + "\"}}");
    BOOST_TEST(files.connection.endpoint.cacert_pem == kCaPem);
    BOOST_TEST(files.connection.endpoint.cert_pem == kCertPem);
    BOOST_TEST(files.connection.endpoint.key_pem == kKeyPem);
    BOOST_TEST(files.notices.empty());
    expect_refused([&] { parse(R"({"connection":{"keyFile":")" + not_pem + "\"}}"); },
                   "kubernetes.connection.keyFile", {kToken});

    // Both given: the inline text wins, as client-go prefers the data, with a notice.
    const std::string other_ca = "-----BEGIN CERTIFICATE-----\nT1RIRVI=\n-----END CERTIFICATE-----\n";
    const KubernetesConfig both =
        parse(R"({"connection":{"cacert":)" + quoted(other_ca) + R"(,"cacertFile":")" + ca + "\"}}");
    BOOST_TEST(both.connection.endpoint.cacert_pem == other_ca);
    BOOST_REQUIRE(both.notices.size() == 1u);
    BOOST_TEST(std::string(both.notices[0].code) == "KUBERNETES_CONFIG_NOTICE");
    BOOST_TEST(both.notices[0].key == "kubernetes.connection.cacertFile");

    // A lone half of a client certificate is not sent (client-go drops it too).
    const KubernetesConfig lone_key = parse(R"({"connection":{"key":)" + quoted(kKeyPem) + "}}");
    BOOST_TEST(lone_key.connection.endpoint.key_pem.empty());
    BOOST_REQUIRE(lone_key.notices.size() == 1u);
    BOOST_TEST(lone_key.notices[0].key == "kubernetes.connection.key");
    BOOST_TEST(lone_key.notices[0].message.find("U0VDUkVUS0VZ") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(tokens_and_basic_authentication) {
    ScratchDir dir;
    const std::string token_file = dir.write("token", kToken);
    const KubernetesConfig token = parse(R"({"connection":{"bearerToken":")" + kToken + "\"}}");
    BOOST_TEST(token.connection.bearer_token == kToken);
    BOOST_TEST(token.connection.describe_authentication() == "bearer token");
    const KubernetesConfig basic = parse(R"({"connection":{"username":"admin","password":")" + kPassword + "\"}}");
    BOOST_TEST(basic.connection.username == "admin");
    BOOST_TEST(basic.connection.password == kPassword);
    BOOST_TEST(basic.connection.describe_authentication() == "basic");
    // Both token keys: the file wins (client-go reads it), with a notice.
    const KubernetesConfig both =
        parse(R"({"connection":{"bearerToken":")" + kToken + R"(","bearerTokenFile":")" + token_file + "\"}}");
    BOOST_TEST(both.connection.bearer_token.empty());
    BOOST_TEST(both.connection.bearer_token_file == token_file);
    BOOST_REQUIRE(both.notices.size() == 1u);
    BOOST_TEST(both.notices[0].key == "kubernetes.connection.bearerToken");
    BOOST_TEST(both.notices[0].message.find(kToken) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(pod_keys) {
    const KubernetesConfig config = parse(
        R"({"pod":{"metadata":{"namespace":"ssh","labels":{"team":"a"},"annotations":{"x/y":"z z"}},)"
        R"("spec":{"nodeSelector":{"disk":"ssd"},"containers":[{"name":"side","image":"busybox"},)"
        R"({"name":"main","image":"guest:1","env":[{"name":"A","value":"1"}]}]},)"
        R"("consoleContainerNumber":1,"mode":"session","idleCommand":[],"shellCommand":["/bin/sh","-l"],)"
        R"("agentPath":"/opt/agent","disableAgent":true,"subsystems":{"sftp":"/usr/libexec/sftp-server","x":"/x"},)"
        R"("exposeAuthMetadataAsEnv":{"team":"TEAM"},"exposeAuthMetadataAsLabels":{"team":"example.com/team"},)"
        R"("exposeAuthMetadataAsAnnotations":{"email":"example.com/email"}}})");
    const auto& pod = config.pod;
    BOOST_TEST(pod.metadata_json ==
               R"({"generateName":"containerssh-","namespace":"ssh","labels":{"team":"a"},"annotations":{"x/y":"z z"}})");
    BOOST_TEST(pod.spec_json == R"({"nodeSelector":{"disk":"ssd"},"containers":[{"name":"side","image":"busybox"},)"
                                R"({"name":"main","image":"guest:1","env":[{"name":"A","value":"1"}]}]})");
    BOOST_TEST(pod.namespace_name == "ssh");
    BOOST_TEST(pod.console_container_number == 1u);
    BOOST_TEST(pod.console_container == "main");
    BOOST_TEST(pod.console_image == "guest:1");
    BOOST_TEST((pod.mode == ExecutionMode::session));
    BOOST_TEST(pod.idle_command.empty());
    BOOST_TEST(pod.shell_command == (std::vector<std::string>{"/bin/sh", "-l"}));
    BOOST_TEST(pod.agent_path == "/opt/agent");
    BOOST_TEST(pod.disable_agent);
    BOOST_TEST(pod.subsystems.size() == 2u);
    BOOST_TEST(pod.subsystems.at("sftp") == "/usr/libexec/sftp-server");
    BOOST_TEST(pod.expose_auth_metadata_as_env.at("team") == "TEAM");
    BOOST_TEST(pod.expose_auth_metadata_as_labels.at("team") == "example.com/team");
    BOOST_TEST(pod.expose_auth_metadata_as_annotations.at("email") == "example.com/email");
}

BOOST_AUTO_TEST_CASE(modes) {
    BOOST_TEST((parse(R"({"pod":{"mode":"connection"}})").pod.mode == ExecutionMode::connection));
    BOOST_TEST((parse(R"({"pod":{"mode":"session"}})").pod.mode == ExecutionMode::session));
    const KubernetesConfig persistent =
        parse(R"({"pod":{"mode":"persistent","metadata":{"name":"alice-box","namespace":"users"}}})");
    BOOST_TEST((persistent.pod.mode == ExecutionMode::persistent));
    BOOST_TEST(persistent.pod.pod_name == "alice-box");
    BOOST_TEST(!persistent.pod.create_missing_pods);
    BOOST_TEST(parse(R"({"pod":{"mode":"persistent","createMissingPods":true,"metadata":{"name":"b"}}})")
                   .pod.create_missing_pods);
    BOOST_TEST(backend_kubernetes::mode_name(ExecutionMode::persistent) == "persistent");
}

BOOST_AUTO_TEST_CASE(pod_refusals_name_the_key) {
    expect_refused([] { parse(R"({"pod":{"mode":"container"}})"); }, "kubernetes.pod.mode");
    expect_refused([] { parse(R"({"pod":{"createMissingPods":true}})"); }, "kubernetes.pod.createMissingPods");
    expect_refused([] { parse(R"({"pod":{"mode":"session","createMissingPods":true}})"); },
                   "kubernetes.pod.createMissingPods");
    expect_refused([] { parse(R"({"pod":{"mode":"persistent"}})"); }, "kubernetes.pod.metadata.name");
    expect_refused([] { parse(R"({"pod":{"mode":"persistent","createMissingPods":true,"idleCommand":[],)"
                              R"("metadata":{"name":"p"}}})"); },
                   "kubernetes.pod.idleCommand");
    expect_refused([] { parse(R"({"pod":{"mode":"session","spec":{"restartPolicy":"Always","containers":[)"
                              R"({"name":"a","image":"b"}]}}})"); },
                   "kubernetes.pod.spec.restartPolicy");
    BOOST_TEST(parse(R"({"pod":{"mode":"session","spec":{"restartPolicy":"Never","containers":[{"name":"a","image":"b"}]}}})")
                   .pod.console_container == "a");
    BOOST_TEST(parse(R"({"pod":{"spec":{"restartPolicy":"Always","containers":[{"name":"a","image":"b"}]}}})")
                   .pod.console_container == "a");
    expect_refused([] { parse(R"({"pod":{"idleCommand":[]}})"); }, "kubernetes.pod.idleCommand");
    expect_refused([] { parse(R"({"pod":{"shellCommand":[]}})"); }, "kubernetes.pod.shellCommand");
    expect_refused([] { parse(R"({"pod":{"idleCommand":["","x"]}})"); }, "kubernetes.pod.idleCommand");
    expect_refused([] { parse(R"({"pod":{"agentPath":""}})"); }, "kubernetes.pod.agentPath");
    BOOST_TEST(parse(R"({"pod":{"agentPath":"","disableAgent":true}})").pod.disable_agent);
    expect_refused([] { parse(R"({"pod":{"consoleContainerNumber":1}})"); }, "kubernetes.pod.consoleContainerNumber");
    expect_refused([] { parse(R"({"pod":{"consoleContainerNumber":-1}})"); }, "kubernetes.pod.consoleContainerNumber");
    expect_refused([] { parse(R"({"pod":{"spec":{"containers":[]}}})"); }, "kubernetes.pod.spec.containers");
    expect_refused([] { parse(R"({"pod":{"spec":{"containers":[{"name":"a"}]}}})"); },
                   "kubernetes.pod.spec.containers[0].image");
    expect_refused([] { parse(R"({"pod":{"spec":{"containers":[{"image":"a"}]}}})"); },
                   "kubernetes.pod.spec.containers[0].name");
    expect_refused([] { parse(R"({"pod":{"spec":{"restartpolicy":"Never"}}})"); }, "kubernetes.pod.spec.restartpolicy");
    try {
        parse(R"({"pod":{"spec":{"restartpolicy":"Never"}}})");
    } catch (const csh::sdk::Error& e) {
        BOOST_TEST(std::string(e.what()).find("restartPolicy") != std::string::npos);  // the right spelling
    }
    expect_refused([] { parse(R"({"pod":{"spec":{"podSpec":{}}}})"); }, "kubernetes.pod.spec.podSpec");
    expect_refused([] { parse(R"({"pod":{"metadata":{"nmespace":"x"}}})"); }, "kubernetes.pod.metadata.nmespace");
    expect_refused([] { parse(R"({"pod":{"metadata":{"namespace":""}}})"); }, "kubernetes.pod.metadata.namespace");
    expect_refused([] { parse(R"({"pod":{"metadata":{"namespace":"Not_Valid"}}})"); },
                   "kubernetes.pod.metadata.namespace");
    expect_refused([] { parse(R"({"pod":{"metadata":{"labels":{"-bad":"x"}}}})"); },
                   "kubernetes.pod.metadata.labels.-bad");
    expect_refused([] { parse(R"({"pod":{"metadata":{"labels":{"a":1}}}})"); }, "kubernetes.pod.metadata.labels.a");
    expect_refused([] { parse(R"({"pod":{"exposeAuthMetadataAsLabels":{"team":"not a label"}}})"); },
                   "kubernetes.pod.exposeAuthMetadataAsLabels.team");
    expect_refused([] { parse(R"({"pod":{"exposeAuthMetadataAsAnnotations":{"team":"a/b/c"}}})"); },
                   "kubernetes.pod.exposeAuthMetadataAsAnnotations.team");
    expect_refused([] { parse(R"({"pod":{"exposeAuthMetadataAsEnv":{"team":"A=B"}}})"); },
                   "kubernetes.pod.exposeAuthMetadataAsEnv.team");
    expect_refused([] { parse(R"({"pod":{"subsystems":{"sftp":""}}})"); }, "kubernetes.pod.subsystems.sftp");
    expect_refused([] { parse(R"({"pod":{"disableAgent":"yes"}})"); }, "kubernetes.pod.disableAgent");
    expect_refused([] { parse(R"({"pod":{"unknown":1}})"); }, "kubernetes.pod.unknown");
}

BOOST_AUTO_TEST_CASE(timeouts) {
    const KubernetesConfig config = parse(R"({"timeouts":{"podStart":"2m","podStop":"1s","commandStart":"1m30s",)"
                                          R"("signal":"500ms","window":1000000,"http":6e10}})");
    BOOST_TEST(config.timeouts.pod_start.count() == 120000);
    BOOST_TEST(config.timeouts.pod_stop.count() == 1000);
    BOOST_TEST(config.timeouts.command_start.count() == 90000);
    BOOST_TEST(config.timeouts.signal.count() == 500);
    BOOST_TEST(config.timeouts.window.count() == 1);  // one millisecond, from nanoseconds
    BOOST_TEST(config.timeouts.http.count() == 60000);
    expect_refused([] { parse(R"({"timeouts":{"podStart":"0s"}})"); }, "kubernetes.timeouts.podStart");
    expect_refused([] { parse(R"({"timeouts":{"podStart":"soon"}})"); }, "kubernetes.timeouts.podStart");
    expect_refused([] { parse(R"({"timeouts":{"containerStart":"1s"}})"); }, "kubernetes.timeouts.containerStart");
}

BOOST_AUTO_TEST_CASE(effective_config_replaces_keys_of_the_file) {
    const KubernetesConfig base = parse(R"({"connection":{"host":"kube:6443","bearerToken":")" + kToken +
                                        R"("},"pod":{"metadata":{"namespace":"ssh"}}})");
    // No kubernetes member, or an empty text: the file's settings.
    BOOST_TEST(KubernetesConfig::from_effective_config("", base, kCode).pod.namespace_name == "ssh");
    BOOST_TEST(KubernetesConfig::from_effective_config(R"({"docker":{}})", base, kCode).pod.namespace_name == "ssh");
    const KubernetesConfig changed = KubernetesConfig::from_effective_config(
        R"({"kubernetes":{"pod":{"spec":{"containers":[{"name":"shell","image":"alice:1"}]}},)"
        R"("timeouts":{"podStart":"5s"}}})",
        base, kCode);
    BOOST_TEST(changed.pod.console_image == "alice:1");
    BOOST_TEST(changed.pod.namespace_name == "ssh");                  // kept from the file
    BOOST_TEST(changed.connection.endpoint.tcp_host == "kube");       // kept: no connection block
    BOOST_TEST(changed.connection.bearer_token == kToken);
    BOOST_TEST(changed.timeouts.pod_start.count() == 5000);
    BOOST_TEST(changed.timeouts.pod_stop.count() == 60000);
    // A connection block is read as a whole.
    const KubernetesConfig other = KubernetesConfig::from_effective_config(
        R"({"kubernetes":{"connection":{"host":"other"}}})", base, kCode);
    BOOST_TEST(other.connection.endpoint.tcp_host == "other");
    BOOST_TEST(other.connection.bearer_token.empty());
    expect_refused([&] { KubernetesConfig::from_effective_config(R"({"kubernetes":{"pod":{"mode":"x"}}})", base, kCode); },
                   "kubernetes.pod.mode");
}

// ContainerSSH issue 209: a pod spec with a hostPath volume lost its fields
// when the section was decoded with the wrong YAML names. The user's section
// (config-issue-209.yaml, here as the core hands it over) also sets certFile
// to the CA and an inline cacert placeholder.
BOOST_AUTO_TEST_CASE(issue_209_section) {
    ScratchDir dir;
    const std::string ca = dir.write("ca.crt", kCaPem);
    const std::string token = dir.write("token", kToken);
    auto section = [&](const std::string& cacert) {
        return R"({"connection":{"certFile":")" + ca + R"(","bearerTokenFile":")" + token + R"(","cacert":)" +
               quoted(cacert) +
               R"(},"pod":{"consoleContainerNumber":0,"metadata":{"namespace":"tp-112520"},"spec":{"volumes":[)"
               R"({"name":"home","hostPath":{"path":"/home/ubuntu","type":"Directory"}}],)"
               R"("containers":[{"name":"shell","image":"containerssh/containerssh-guest-image"}]}}})";
    };
    // As written, cacert holds the placeholder "<cacert>", which is no certificate: the
    // message says what to put there.
    expect_refused([&] { parse(section("<cacert>\n")); }, "kubernetes.connection.cacert");
    // With the cluster's CA in cacert it works: the volume is kept as written, and
    // certFile, which names the CA rather than a client certificate, is not sent
    // (ContainerSSH ignored it the same way), with a notice saying to use cacertFile.
    const KubernetesConfig config = parse(section(kCaPem));
    BOOST_TEST(config.pod.spec_json.find(R"("hostPath":{"path":"/home/ubuntu","type":"Directory"})") != std::string::npos);
    BOOST_TEST(config.pod.namespace_name == "tp-112520");
    BOOST_TEST(config.pod.metadata_json == R"({"generateName":"containerssh-","namespace":"tp-112520"})");
    BOOST_TEST(config.connection.endpoint.cacert_pem == kCaPem);
    BOOST_TEST(config.connection.endpoint.cert_pem.empty());
    BOOST_TEST(config.connection.bearer_token_file == token);
    BOOST_REQUIRE(config.notices.size() == 1u);
    BOOST_TEST(config.notices[0].key == "kubernetes.connection.certFile");
    BOOST_TEST(config.notices[0].message.find("cacertFile") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
