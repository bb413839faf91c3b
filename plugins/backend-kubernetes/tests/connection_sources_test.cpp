// Where the connection settings come from besides the section's keys: a
// kubeconfig file, the service account of the pod the gateway runs in; and
// the Authorization header, whose token file is read again as it rotates.
#include <boost/test/unit_test.hpp>

#include "api_credentials.hpp"
#include "kubernetes_config.hpp"
#include "test_support.hpp"

#include <containerssh/sdk/base64.hpp>

using backend_kubernetes::ApiCredentials;
using backend_kubernetes::CredentialSource;
using backend_kubernetes::KubernetesConfig;
using namespace kubernetes_test;

namespace {

KubernetesConfig parse(const std::string& json) { return KubernetesConfig::from_section(json, kCode); }

std::string b64(const std::string& text) { return csh::sdk::base64_encode(text); }

std::string with_kubeconfig(const std::string& file, const std::string& context = "") {
    return R"({"connection":{"kubeconfig":")" + file + "\"" +
           (context.empty() ? std::string() : R"(,"kubeconfigContext":")" + context + "\"") + "}}";
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(kubeconfig, NoServiceAccount)

BOOST_AUTO_TEST_CASE(current_context_with_embedded_data) {
    ScratchDir dir;
    const std::string file = dir.write("config", R"(apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev-cluster
  cluster:
    server: https://10.1.2.3:6443
    certificate-authority-data: )" + b64(kCaPem) + R"(
    tls-server-name: kube.internal
users:
- name: dev-user
  user:
    client-certificate-data: )" + b64(kCertPem) + R"(
    client-key-data: )" + b64(kKeyPem) + R"(
contexts:
- name: dev
  context: {cluster: dev-cluster, user: dev-user, namespace: team-a}
)");
    const KubernetesConfig config = parse(with_kubeconfig(file));
    BOOST_TEST((config.connection.source == CredentialSource::kubeconfig));
    BOOST_TEST(config.connection.kubeconfig == file);
    BOOST_TEST(config.connection.kubeconfig_context == "dev");
    BOOST_TEST(config.connection.endpoint.tcp_host == "10.1.2.3");
    BOOST_TEST(config.connection.endpoint.tcp_port == 6443);
    BOOST_TEST(config.connection.endpoint.server_name == "kube.internal");
    BOOST_TEST(config.connection.endpoint.cacert_pem == kCaPem);
    BOOST_TEST(config.connection.endpoint.cert_pem == kCertPem);
    BOOST_TEST(config.connection.endpoint.key_pem == kKeyPem);
    BOOST_TEST(config.connection.describe_authentication() == "kubeconfig context dev (client certificate)");
    // The context's namespace stands in for "default"; a written one wins.
    BOOST_TEST(config.pod.namespace_name == "team-a");
    BOOST_TEST(config.pod.metadata_json == R"({"generateName":"containerssh-","namespace":"team-a"})");
    const KubernetesConfig written = parse(R"({"connection":{"kubeconfig":")" + file +
                                           R"("},"pod":{"metadata":{"namespace":"ssh"}}})");
    BOOST_TEST(written.pod.namespace_name == "ssh");
}

BOOST_AUTO_TEST_CASE(named_context_with_files_token_and_basic) {
    ScratchDir dir;
    dir.write("ca.pem", kCaPem);
    const std::string token_file = dir.write("token", kToken + "\n");
    const std::string file = dir.write("config", R"(current-context: a
clusters:
- name: c
  cluster: {server: "kube.example.com", certificate-authority: ca.pem}
users:
- name: token-user
  user: {tokenFile: token}
- name: static-user
  user: {token: )" + kToken + R"(}
- name: basic-user
  user: {username: admin, password: )" + kPassword + R"(}
contexts:
- {name: a, context: {cluster: c, user: token-user}}
- {name: b, context: {cluster: c, user: static-user}}
- {name: c, context: {cluster: c, user: basic-user}}
- {name: anonymous, context: {cluster: c}}
)");
    const KubernetesConfig a = parse(with_kubeconfig(file, "a"));
    BOOST_TEST(a.connection.endpoint.tcp_host == "kube.example.com");
    BOOST_TEST(a.connection.endpoint.tcp_port == 443);
    BOOST_TEST(a.connection.endpoint.cacert_pem == kCaPem);  // relative to the kubeconfig's directory
    BOOST_TEST(a.connection.bearer_token_file == token_file);
    BOOST_TEST(a.pod.namespace_name == "default");
    BOOST_TEST(parse(with_kubeconfig(file, "b")).connection.bearer_token == kToken);
    const KubernetesConfig c = parse(with_kubeconfig(file, "c"));
    BOOST_TEST(c.connection.username == "admin");
    BOOST_TEST(c.connection.password == kPassword);
    BOOST_TEST(parse(with_kubeconfig(file, "anonymous")).connection.describe_authentication() ==
               "kubeconfig context anonymous (none)");
}

BOOST_AUTO_TEST_CASE(refusals_name_the_kubeconfig_key) {
    ScratchDir dir;
    auto kubeconfig_with_user = [&](const std::string& user, const std::string& cluster_extra = "") {
        return dir.write("config", "current-context: x\nclusters:\n- name: c\n  cluster:\n    server: https://k\n" +
                                       cluster_extra + "users:\n- name: u\n  user:\n" + user +
                                       "contexts:\n- name: x\n  context: {cluster: c, user: u}\n");
    };
    const std::string key = "kubernetes.connection.kubeconfig";
    expect_refused([&] { parse(with_kubeconfig(kubeconfig_with_user("    exec: {command: aws}\n"))); }, key);
    try {
        parse(with_kubeconfig(kubeconfig_with_user("    exec: {command: aws}\n")));
    } catch (const csh::sdk::Error& e) {
        BOOST_TEST(std::string(e.what()).find("users[u].user.exec") != std::string::npos);
    }
    expect_refused([&] { parse(with_kubeconfig(kubeconfig_with_user("    auth-provider: {name: gcp}\n"))); }, key);
    expect_refused(
        [&] { parse(with_kubeconfig(kubeconfig_with_user("    token: " + kToken + "\n", "    insecure-skip-tls-verify: true\n"))); },
        key, {kToken});
    expect_refused([&] { parse(with_kubeconfig(kubeconfig_with_user("    client-key-data: " + b64(kKeyPem) + "\n"))); },
                   key, {b64(kKeyPem), "U0VDUkVUS0VZ"});
    expect_refused([&] { parse(with_kubeconfig(kubeconfig_with_user("    token: a\n"), "nope")); }, key);
    expect_refused([&] { parse(with_kubeconfig(dir.path() + "/missing")); }, key);
    expect_refused([&] { parse(with_kubeconfig(dir.write("broken", "clusters: [\n"))); }, key);
    expect_refused([&] { parse(with_kubeconfig(dir.write("empty", "clusters: []\n"))); }, key);
    // One source for server and credentials.
    const std::string good = kubeconfig_with_user("    token: a\n");
    expect_refused([&] { parse(R"({"connection":{"kubeconfig":")" + good + R"(","bearerToken":")" + kToken + "\"}}"); },
                   "kubernetes.connection.bearerToken", {kToken});
    expect_refused([&] { parse(R"({"connection":{"kubeconfig":")" + good + R"(","host":"other"}})"); },
                   "kubernetes.connection.host");
    // The default host written out (as --dump-config does) is no conflict.
    BOOST_TEST(parse(R"({"connection":{"kubeconfig":")" + good + R"(","host":"kubernetes.default.svc"}})")
                   .connection.endpoint.tcp_host == "k");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(in_cluster)

BOOST_AUTO_TEST_CASE(service_account_files_are_used_when_nothing_else_is_configured) {
    ScratchDir account;
    const std::string token = account.write("token", kToken);
    account.write("ca.crt", kCaPem);
    account.write("namespace", "gateway-ns\n");
    ScopedEnv dir("CONTAINERSSH_KUBERNETES_SERVICE_ACCOUNT_DIR", account.path());
    ScopedEnv host("KUBERNETES_SERVICE_HOST", std::string("10.96.0.1"));
    ScopedEnv port("KUBERNETES_SERVICE_PORT", std::string("8443"));
    BOOST_TEST(backend_kubernetes::service_account_dir() == account.path());

    const KubernetesConfig config = parse("null");
    BOOST_TEST((config.connection.source == CredentialSource::in_cluster));
    BOOST_TEST(config.connection.bearer_token_file == token);
    BOOST_TEST(config.connection.endpoint.cacert_pem == kCaPem);
    BOOST_TEST(config.connection.endpoint.tcp_host == "10.96.0.1");
    BOOST_TEST(config.connection.endpoint.tcp_port == 8443);
    BOOST_TEST(config.pod.namespace_name == "gateway-ns");
    BOOST_TEST(config.connection.describe_authentication() == "in-cluster service account (bearer token file)");

    // A host written in the file, and a namespace written in the file, stay.
    const KubernetesConfig written =
        parse(R"({"connection":{"host":"kube.example.com"},"pod":{"metadata":{"namespace":"ssh"}}})");
    BOOST_TEST((written.connection.source == CredentialSource::in_cluster));
    BOOST_TEST(written.connection.endpoint.tcp_host == "kube.example.com");
    BOOST_TEST(written.connection.endpoint.tcp_port == 443);
    BOOST_TEST(written.pod.namespace_name == "ssh");
    // The default host written out counts as left at its default.
    BOOST_TEST(parse(R"({"connection":{"host":"kubernetes.default.svc"}})").connection.endpoint.tcp_host == "10.96.0.1");

    // Any credential in the file turns in-cluster off.
    const KubernetesConfig token_written = parse(R"({"connection":{"bearerToken":")" + kToken + "\"}}");
    BOOST_TEST((token_written.connection.source == CredentialSource::settings));
    BOOST_TEST(token_written.connection.endpoint.cacert_pem.empty());
    BOOST_TEST(token_written.pod.namespace_name == "default");
}

BOOST_AUTO_TEST_CASE(without_service_host_the_default_address_stays) {
    ScratchDir account;
    account.write("token", kToken);
    ScopedEnv dir("CONTAINERSSH_KUBERNETES_SERVICE_ACCOUNT_DIR", account.path());
    ScopedEnv host("KUBERNETES_SERVICE_HOST", std::nullopt);
    const KubernetesConfig config = parse("{}");
    BOOST_TEST((config.connection.source == CredentialSource::in_cluster));
    BOOST_TEST(config.connection.endpoint.tcp_host == "kubernetes.default.svc");
    BOOST_TEST(config.connection.endpoint.cacert_pem.empty());  // no ca.crt: the system's trust store
    BOOST_TEST(config.pod.namespace_name == "default");          // no namespace file
}

BOOST_AUTO_TEST_CASE(no_token_file_means_no_in_cluster) {
    ScratchDir account;
    account.write("namespace", "ignored");
    ScopedEnv dir("CONTAINERSSH_KUBERNETES_SERVICE_ACCOUNT_DIR", account.path());
    const KubernetesConfig config = parse("{}");
    BOOST_TEST((config.connection.source == CredentialSource::settings));
    BOOST_TEST(config.pod.namespace_name == "default");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(authorization_header, NoServiceAccount)

BOOST_AUTO_TEST_CASE(static_credentials) {
    backend_kubernetes::ApiConnection connection;
    BOOST_TEST(ApiCredentials(connection).authorization().empty());
    connection.bearer_token = kToken;
    BOOST_TEST(ApiCredentials(connection).authorization() == "Bearer " + kToken);
    connection.bearer_token.clear();
    connection.username = "admin";
    connection.password = "pw";
    BOOST_TEST(ApiCredentials(connection).authorization() == "Basic YWRtaW46cHc=");
}

BOOST_AUTO_TEST_CASE(token_file_is_read_again_after_a_minute) {
    ScratchDir dir;
    backend_kubernetes::ApiConnection connection;
    connection.bearer_token_file = dir.write("token", "first\n");
    ApiCredentials credentials(connection);
    const auto start = ApiCredentials::Clock::now();
    credentials.set_clock_for_test(start);
    BOOST_TEST(credentials.authorization() == "Bearer first");
    dir.write("token", "second");
    credentials.set_clock_for_test(start + std::chrono::seconds(59));
    BOOST_TEST(credentials.authorization() == "Bearer first");
    credentials.set_clock_for_test(start + std::chrono::seconds(61));
    BOOST_TEST(credentials.authorization() == "Bearer second");
    // Unreadable later: the last token stays in use and the problem is told, without the token.
    ::unlink(connection.bearer_token_file.c_str());
    credentials.set_clock_for_test(start + std::chrono::seconds(200));
    std::string problem;
    BOOST_TEST(credentials.authorization(problem) == "Bearer second");
    BOOST_TEST(!problem.empty());
    BOOST_TEST(problem.find("second") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
