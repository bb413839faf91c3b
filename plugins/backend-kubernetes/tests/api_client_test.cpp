// The API client against a scripted HTTP server standing in for the API
// server: what each call sends (path, credentials, body), how answers and
// Status errors come back, the pod watch (events until the pod runs, a
// deletion, an ERROR event, a watch that ends early), the metrics with
// backend="kubernetes", and the pure pieces around it (pod readiness, the
// lease's time stamps, the qps/burst limiter).
#include "api/api_client.hpp"
#include "instance_lease.hpp"
#include "messages.hpp"

#include <containerssh/sdk/testing/fake_host.hpp>

#include <http_test_server.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

using namespace backend_kubernetes;
using csh::sdk::testing::FakeHost;
using csh::test::HttpTestServer;
using csh::test::ScriptedResponse;
using namespace std::chrono_literals;

namespace {

const char* kPending = R"({"metadata":{"name":"p1","namespace":"ns","resourceVersion":"5"},
 "spec":{"containers":[{"name":"shell"}]},
 "status":{"phase":"Pending","containerStatuses":[{"name":"shell","state":{"waiting":{"reason":"ContainerCreating"}}}]}})";
const char* kRunning = R"({"metadata":{"name":"p1","namespace":"ns","resourceVersion":"7","labels":{"a":"b"}},
 "spec":{"containers":[{"name":"shell"}]},
 "status":{"phase":"Running","containerStatuses":[{"name":"shell","ready":true,"state":{"running":{"startedAt":"x"}}}]}})";

std::string one_line(std::string json) {
    json.erase(std::remove(json.begin(), json.end(), '\n'), json.end());
    return json;
}

std::string event(const char* type, const std::string& object) {
    return std::string(R"({"type":")") + type + R"(","object":)" + one_line(object) + "}\n";
}

struct ApiFixture {
    ApiFixture() { fake.register_codes(kMessageTable, std::size(kMessageTable)); }
    ~ApiFixture() { BOOST_TEST(fake.misuse().empty()); }

    std::shared_ptr<ApiClient> client(uint16_t port, std::string prefix = {}) {
        csh::loop_http::Endpoint endpoint;
        endpoint.kind = csh::loop_http::Endpoint::Kind::tcp;
        endpoint.tcp_host = "127.0.0.1";
        endpoint.tcp_port = port;
        ApiAccess access;
        access.connector = csh::loop_http::Connector::create(host, endpoint);
        access.prefix = std::move(prefix);
        access.authorization = [] { return std::string("Bearer test-token"); };
        access.http_timeout = 10s;
        return std::make_shared<ApiClient>(host, std::move(access), metrics);
    }

    template <class T>
    T wait(std::optional<T>& done) {
        BOOST_TEST_REQUIRE(fake.run_until([&] { return done.has_value(); }));
        return *done;
    }

    double counter(const char* name) {
        return fake.metric_value(name, {{"backend", "kubernetes"}}).value_or(0);
    }

    FakeHost fake;
    csh::sdk::Host host{fake.host(), codes::KUBERNETES_BACKEND_INTERNAL_ERROR};
    std::shared_ptr<const csh::backend_support::BackendMetrics> metrics =
        std::make_shared<const csh::backend_support::BackendMetrics>(host, "kubernetes");
    CallSite at{fake.strand_create(), nullptr};
};

}  // namespace

BOOST_AUTO_TEST_SUITE(api_client)

BOOST_FIXTURE_TEST_CASE(create_sends_the_manifest_with_the_credentials_and_reads_the_pod, ApiFixture) {
    HttpTestServer api;
    api.respond("/api/v1/namespaces/ns/pods", {201, kPending});
    std::optional<std::pair<ApiResult, PodView>> created;
    client(api.port())->create_pod(at, "ns", R"({"kind":"Pod"})", [&](ApiResult r, PodView pod) {
        created.emplace(r, pod);
    });
    const auto [r, pod] = wait(created);
    BOOST_TEST(r.ok());
    BOOST_TEST(pod.name == "p1");
    BOOST_TEST(pod.resource_version == "5");
    BOOST_TEST(pod.phase == "Pending");
    const auto requests = api.requests();
    BOOST_TEST_REQUIRE(requests.size() == 1u);
    BOOST_TEST(requests[0].method == "POST");
    BOOST_TEST(requests[0].body == R"({"kind":"Pod"})");
    BOOST_TEST(requests[0].headers.at("authorization") == "Bearer test-token");
    BOOST_TEST(counter("containerssh_backend_requests_total") == 1.0);
    BOOST_TEST(counter("containerssh_backend_errors_total") == 0.0);
}

BOOST_FIXTURE_TEST_CASE(a_status_error_carries_its_code_reason_and_message, ApiFixture) {
    HttpTestServer api;
    api.respond("/api/v1/namespaces/ns/pods/gone",
                {404, R"({"kind":"Status","status":"Failure","reason":"NotFound","message":"pods \"gone\" not found","code":404})"});
    std::optional<ApiResult> got;
    client(api.port())->get_pod(at, "ns", "gone", [&](ApiResult r, PodView) { got = r; });
    const ApiResult r = wait(got);
    BOOST_TEST(!r.ok());
    BOOST_TEST(r.status == 404);
    BOOST_TEST(r.reason == "NotFound");
    BOOST_TEST(r.error.find("pods \"gone\" not found") != std::string::npos);
    BOOST_TEST(r.error.find("/api/v1/namespaces/ns/pods/gone") != std::string::npos);
    BOOST_TEST(r.error.find("test-token") == std::string::npos);
    BOOST_TEST(counter("containerssh_backend_errors_total") == 1.0);
}

BOOST_FIXTURE_TEST_CASE(deleting_a_pod_that_is_gone_already_succeeds, ApiFixture) {
    HttpTestServer api;
    api.respond("/api/v1/namespaces/ns/pods/p1", {404, R"({"kind":"Status","reason":"NotFound"})"});
    std::optional<ApiResult> deleted;
    client(api.port())->delete_pod(at, "ns", "p1", 5s, [&](ApiResult r) { deleted = r; });
    BOOST_TEST(wait(deleted).ok());
    const auto requests = api.requests();
    BOOST_TEST_REQUIRE(requests.size() == 1u);
    BOOST_TEST(requests[0].method == "DELETE");
    BOOST_TEST(requests[0].body.find(R"("gracePeriodSeconds":5)") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(a_proxy_prefix_goes_before_every_path, ApiFixture) {
    HttpTestServer api;
    api.respond("/k8s/clusters/c-1/api/v1/namespaces/ns/pods/p1", {200, kRunning});
    api.respond("/k8s/clusters/c-1/apis/coordination.k8s.io/v1/namespaces/ns/leases/l1",
                {200, R"({"metadata":{"name":"l1","resourceVersion":"3"},"spec":{"holderIdentity":"h","leaseDurationSeconds":60,"renewTime":"2026-12-07T13:00:00.000000Z"}})"});
    auto kube = client(api.port(), "/k8s/clusters/c-1");
    std::optional<ApiResult> pod;
    kube->get_pod(at, "ns", "p1", [&](ApiResult r, PodView) { pod = r; });
    BOOST_TEST(wait(pod).ok());
    std::optional<LeaseView> lease;
    kube->get_lease(at, "ns", "l1", [&](ApiResult r, LeaseView l) {
        BOOST_TEST(r.ok());
        lease = l;
    });
    BOOST_TEST(wait(lease).holder == "h");
    BOOST_TEST(lease->resource_version == "3");
    BOOST_TEST(lease->duration_seconds == 60);
}

BOOST_FIXTURE_TEST_CASE(the_watch_reports_each_version_until_the_caller_is_satisfied, ApiFixture) {
    HttpTestServer api;
    api.respond("/api/v1/namespaces/ns/pods",
                {200, event("ADDED", kPending) + event("MODIFIED", kRunning) + event("MODIFIED", kRunning)});
    int seen = 0;
    std::optional<ApiResult> over;
    auto watch = client(api.port())->watch_pod(
        at, "ns", "p1", "5", 10s,
        [&](const PodView& pod) {
            ++seen;
            std::string why;
            return pod_readiness(pod, "shell", why) == PodReadiness::ready;
        },
        [&](ApiResult r) { over = r; });
    const ApiResult r = wait(over);
    BOOST_TEST(r.ok());
    BOOST_TEST(r.status == 200);
    BOOST_TEST(seen == 2);  // the third event came after the caller was satisfied
    BOOST_TEST(api.requests().at(0).method == "GET");
}

BOOST_FIXTURE_TEST_CASE(a_deleted_pod_ends_the_watch_with_410, ApiFixture) {
    HttpTestServer api;
    api.respond("/api/v1/namespaces/ns/pods", {200, event("ADDED", kPending) + event("DELETED", kPending)});
    std::optional<ApiResult> over;
    auto watch = client(api.port())->watch_pod(
        at, "ns", "p1", "5", 10s, [](const PodView&) { return false; }, [&](ApiResult r) { over = r; });
    const ApiResult r = wait(over);
    BOOST_TEST(r.ok());
    BOOST_TEST(r.status == 410);
}

BOOST_FIXTURE_TEST_CASE(an_error_event_or_an_early_end_fails_the_watch, ApiFixture) {
    HttpTestServer api;
    api.respond("/api/v1/namespaces/ns/pods",
                {200, event("ERROR", R"({"kind":"Status","code":410,"message":"too old resource version"})")});
    std::optional<ApiResult> over;
    auto kube = client(api.port());
    auto watch = kube->watch_pod(
        at, "ns", "p1", "1", 10s, [](const PodView&) { return false; }, [&](ApiResult r) { over = r; });
    ApiResult r = wait(over);
    BOOST_TEST(!r.ok());
    BOOST_TEST(r.error.find("too old resource version") != std::string::npos);

    HttpTestServer quiet;
    quiet.respond("/api/v1/namespaces/ns/pods", {200, event("ADDED", kPending)});
    over.reset();
    auto other = client(quiet.port())->watch_pod(
        at, "ns", "p1", "1", 10s, [](const PodView&) { return false; }, [&](ApiResult r) { over = r; });
    r = wait(over);
    BOOST_TEST(!r.ok());
    BOOST_TEST(r.error.find("ended before the pod was ready") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(a_stopped_watch_reports_nothing, ApiFixture) {
    HttpTestServer api;
    api.respond("/api/v1/namespaces/ns/pods", {200, event("ADDED", kRunning), {}, 300ms});
    bool called = false;
    auto watch = client(api.port())->watch_pod(
        at, "ns", "p1", "1", 10s, [&](const PodView&) { return called = true; }, [&](ApiResult) { called = true; });
    watch->stop();
    fake.run_for(600ms);
    BOOST_TEST(!called);
}

BOOST_FIXTURE_TEST_CASE(a_server_that_does_not_answer_is_unreachable, ApiFixture) {
    uint16_t port = 0;
    {
        HttpTestServer gone;
        port = gone.port();
    }
    std::optional<ApiResult> got;
    client(port)->get_pod(at, "ns", "p1", [&](ApiResult r, PodView) { got = r; });
    const ApiResult r = wait(got);
    BOOST_TEST(r.unreachable);
    BOOST_TEST(!r.ok());
    BOOST_TEST(counter("containerssh_backend_errors_total") == 1.0);
}

BOOST_AUTO_TEST_CASE(the_exec_target_names_the_container_and_every_word) {
    FakeHost fake;
    csh::sdk::Host host{fake.host(), codes::KUBERNETES_BACKEND_INTERNAL_ERROR};
    csh::loop_http::Endpoint endpoint;
    endpoint.kind = csh::loop_http::Endpoint::Kind::tcp;
    endpoint.tcp_host = "127.0.0.1";
    endpoint.tcp_port = 1;
    ApiAccess access;
    access.connector = csh::loop_http::Connector::create(host, endpoint);
    ApiClient kube(host, std::move(access), nullptr);
    BOOST_TEST(kube.exec_target("ns", "p1", "shell", {"/bin/sh", "-c", "echo a&b"}, true, false) ==
               "/api/v1/namespaces/ns/pods/p1/exec?container=shell&command=%2Fbin%2Fsh&command=-c&"
               "command=echo%20a%26b&stdin=true&stdout=true&stderr=true");
    BOOST_TEST(kube.exec_target("ns", "p1", "shell", {}, true, true) ==
               "/api/v1/namespaces/ns/pods/p1/attach?container=shell&stdin=true&stdout=true&tty=true");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(pod_states)

PodView pod_with(const std::string& status_json) {
    std::string error;
    auto pod = parse_pod(R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"shell"}]},"status":)" +
                             status_json + "}",
                         error);
    BOOST_TEST_REQUIRE(pod.has_value(), error);
    return *pod;
}

BOOST_AUTO_TEST_CASE(readiness_follows_the_console_container) {
    std::string why;
    BOOST_TEST((pod_readiness(pod_with(R"({"phase":"Pending"})"), "shell", why) == PodReadiness::waiting));
    BOOST_TEST((pod_readiness(pod_with(R"({"phase":"Running","containerStatuses":[{"name":"shell","state":{"running":{}}}]})"),
                              "shell", why) == PodReadiness::ready));
    BOOST_TEST((pod_readiness(pod_with(R"({"phase":"Running","containerStatuses":[{"name":"side","state":{"running":{}}}]})"),
                              "shell", why) == PodReadiness::waiting));
}

BOOST_AUTO_TEST_CASE(a_failed_pull_fails_at_once_with_the_kubelets_words) {
    std::string why;
    const auto pod = pod_with(
        R"({"phase":"Pending","containerStatuses":[{"name":"shell","state":{"waiting":{"reason":"ErrImagePull","message":"image nope:1 not found"}}}]})");
    BOOST_TEST((pod_readiness(pod, "shell", why) == PodReadiness::failed));
    BOOST_TEST(why == "ErrImagePull: image nope:1 not found");
}

BOOST_AUTO_TEST_CASE(unschedulable_is_waited_out_but_explained) {
    std::string why;
    const auto pod = pod_with(
        R"({"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False","reason":"Unschedulable","message":"0/1 nodes are available"}]})");
    BOOST_TEST((pod_readiness(pod, "shell", why) == PodReadiness::waiting));
    BOOST_TEST(why.find("0/1 nodes are available") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_ended_or_deleted_pod_will_not_run) {
    std::string why;
    BOOST_TEST((pod_readiness(pod_with(R"({"phase":"Failed"})"), "shell", why) == PodReadiness::failed));
    BOOST_TEST((pod_readiness(pod_with(R"({"phase":"Running","containerStatuses":[{"name":"shell","state":{"terminated":{"exitCode":2,"reason":"Error"}}}]})"),
                              "shell", why) == PodReadiness::failed));
    BOOST_TEST(why.find("exit code 2") != std::string::npos);
    std::string error;
    auto deleting = parse_pod(R"({"metadata":{"name":"p","deletionTimestamp":"2026-12-07T13:00:00Z"},"status":{"phase":"Running"}})", error);
    BOOST_TEST_REQUIRE(deleting.has_value());
    BOOST_TEST((pod_readiness(*deleting, "shell", why) == PodReadiness::failed));
}

BOOST_AUTO_TEST_CASE(garbage_is_not_a_pod) {
    std::string error;
    BOOST_TEST(!parse_pod("not json", error).has_value());
    BOOST_TEST(!parse_pod(R"({"kind":"Status"})", error).has_value());
    BOOST_TEST(!parse_pod_list(R"({"items":3})", error).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(instance_leases)

BOOST_AUTO_TEST_CASE(micro_time_round_trips) {
    const std::time_t t = 1796648400;  // 2026-12-07T13:00:00Z
    BOOST_TEST(micro_time(t) == "2026-12-07T13:00:00.000000Z");
    BOOST_TEST(parse_micro_time(micro_time(t)).value() == t);
    BOOST_TEST(parse_micro_time("2026-12-07T13:00:00.123456Z").value() == t);
    BOOST_TEST(!parse_micro_time("yesterday").has_value());
}

BOOST_AUTO_TEST_CASE(a_lease_expires_after_its_duration_and_the_skew_margin) {
    const std::time_t renewed = 1796648400;
    LeaseView lease;
    lease.renew_time = micro_time(renewed);
    lease.duration_seconds = 60;
    BOOST_TEST(!lease_expired(lease, renewed + 60));
    BOOST_TEST(!lease_expired(lease, renewed + 60 + kLeaseSkewMargin.count()));
    BOOST_TEST(lease_expired(lease, renewed + 61 + kLeaseSkewMargin.count()));
    lease.renew_time = "garbage";
    BOOST_TEST(lease_expired(lease, renewed));  // unreadable: nobody vouches for it
}

BOOST_AUTO_TEST_CASE(the_lease_body_names_its_holder_and_version) {
    const std::string body = lease_body("ns", "abc", "abc (collecting)", 1796648400, "42");
    BOOST_TEST(body.find(R"("name":"containerssh-abc")") != std::string::npos);
    BOOST_TEST(body.find(R"("resourceVersion":"42")") != std::string::npos);
    BOOST_TEST(body.find(R"x("holderIdentity":"abc (collecting)")x") != std::string::npos);
    BOOST_TEST(body.find(R"("renewTime":"2026-12-07T13:00:00.000000Z")") != std::string::npos);
    BOOST_TEST(lease_body("ns", "abc", "abc", 0, "").find("resourceVersion") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(rate_limiter)

BOOST_AUTO_TEST_CASE(a_burst_goes_at_once_then_requests_wait_their_turn) {
    RateLimiter limiter(10, 3);
    for (int i = 0; i < 3; ++i) BOOST_TEST(limiter.reserve().count() == 0);
    const auto fourth = limiter.reserve();
    const auto fifth = limiter.reserve();
    BOOST_TEST(fourth.count() > 50);
    BOOST_TEST(fourth.count() <= 100);
    BOOST_TEST(fifth.count() > fourth.count());
    BOOST_TEST(fifth.count() <= 200);
}

BOOST_AUTO_TEST_CASE(no_qps_means_no_limit) {
    RateLimiter limiter(0, 1);
    for (int i = 0; i < 100; ++i) BOOST_TEST(limiter.reserve().count() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
