// The plugins a file selects (architecture §6).
#include <boost/test/unit_test.hpp>

#include "test_support.hpp"

using csh::config::Config;

BOOST_AUTO_TEST_SUITE(providers)

BOOST_AUTO_TEST_CASE(a_typical_file) {
    const Config config = Config::parse(
        "backend: kubernetes\n"
        "auth:\n"
        "  password: {method: webhook, webhook: {url: \"http://auth:8080\"}}\n"
        "  publicKey: {method: webhook, webhook: {url: \"http://auth:8080\"}}\n"
        "  keyboardInteractive: {method: oauth2}\n"
        "  authz: {method: \"\"}\n"
        "configserver: {url: \"http://config:8080/config\"}\n"
        "audit: {enable: true, format: binary, storage: s3}\n"
        "metrics: {enable: true}\n",
        false, "t.yaml");
    const auto providers = config.required_providers();
    std::vector<std::string> got;
    for (const auto& p : providers) got.push_back(p.provides + " <- " + p.key_path);
    const std::vector<std::string> expected = {
        "backend/kubernetes <- backend",
        "auth/webhook <- auth.password.method",
        "auth/oauth2 <- auth.keyboardInteractive.method",
        "config/http <- configserver.url",
        "audit/s3 <- audit.storage",
        "metrics/prometheus <- metrics.enable",
    };
    BOOST_TEST(got == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(kuberun_selects_the_kubernetes_backend) {
    const auto providers = Config::parse("backend: kuberun\nkuberun: {}\n", false, "t.yaml").required_providers();
    BOOST_REQUIRE(providers.size() == 1u);
    BOOST_TEST(providers[0].provides == "backend/kubernetes");
    BOOST_TEST(providers[0].key_path == "backend");
}

BOOST_AUTO_TEST_CASE(disabled_features_select_nothing) {
    const auto providers =
        Config::parse("audit: {enable: false, storage: s3}\nmetrics: {enable: false}\n", false, "t.yaml")
            .required_providers();
    BOOST_REQUIRE(providers.size() == 1u);
    BOOST_TEST(providers[0].provides == "backend/docker");
    BOOST_TEST(Config::parse("audit: {enable: true, storage: none}", false, "t").required_providers().size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
