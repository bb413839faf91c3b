// The harness around the test Kubernetes API server (harness/kube_api.hpp),
// as the gateway's Kubernetes suites use it: it starts, kubectl reaches it
// with the kubeconfig, a pod runs in the shared engine, an outage (stop and
// start) keeps the pod, and the destructor leaves no container behind.
#define BOOST_TEST_MODULE kube_api_harness
#include "harness/docker.hpp"
#include "harness/kube_api.hpp"

#include "file_contents.hpp"

#include <boost/test/unit_test.hpp>

#include <thread>

using namespace csh::test;

namespace {

const char* kPod = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"harness-pod","labels":{"suite":"harness"}},
"spec":{"terminationGracePeriodSeconds":1,"containers":[{"name":"main","image":"containerssh-test-guest:latest",
"imagePullPolicy":"Never","command":["/usr/bin/containerssh-agent","wait-signal","--signal","TERM"]}]}})";

bool wait_running(const kube::KubeApiServer& server) {
    for (int i = 0; i < 100; ++i) {
        if (server.pods_json("default", "suite=harness").find("\"phase\": \"Running\"") != std::string::npos) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(pod_survives_an_api_server_outage_and_leaves_nothing_behind) {
    std::vector<std::string> ids;
    {
        kube::KubeApiServer server;
        BOOST_TEST(server.ca_pem().find("BEGIN CERTIFICATE") != std::string::npos);
        BOOST_TEST(server.client_key_pem().find("PRIVATE KEY") != std::string::npos);
        const auto created = server.kubectl("1.33", {"create", "-f", "-"}, kPod);
        BOOST_TEST_REQUIRE(created.exit_code == 0, created.err);
        BOOST_TEST_REQUIRE(wait_running(server), server.pods_json("default"));
        ids = server.containers();
        BOOST_TEST(ids.size() == 1u);

        const auto port = server.port();
        server.stop();
        BOOST_TEST(!server.running());
        server.start();
        BOOST_TEST(server.port() == port);
        BOOST_TEST(wait_running(server));
        const auto exec = server.kubectl("1.33", {"exec", "-i", "harness-pod", "--", "cat"}, "round trip\n");
        BOOST_TEST(exec.exit_code == 0, exec.err);
        BOOST_TEST(exec.out == "round trip\n");

        const auto token = server.kubectl("1.33", {"--kubeconfig", server.token_kubeconfig_path(), "get", "pods",
                                                   "-o", "name"});
        BOOST_TEST(token.out == "pod/harness-pod\n", token.err);
    }
    // The destructor removed the running pod's container.
    const auto left = docker::cli({"ps", "-aq", "--no-trunc"});
    for (const auto& id : ids) BOOST_TEST(left.out.find(id) == std::string::npos);
}
