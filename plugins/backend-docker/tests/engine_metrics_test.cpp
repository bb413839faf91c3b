// The engine client's metrics, against a real HTTP server standing in for
// the Docker engine (the Engine API is plain HTTP; tcp:// reaches it): every
// request sent counts once in containerssh_backend_requests_total, failed
// ones in containerssh_backend_errors_total, and each is timed once under its
// operation.
#include "docker_config.hpp"
#include "engine/engine_client.hpp"
#include "engine/engine_metrics.hpp"
#include "messages.hpp"

#include <containerssh/sdk/testing/fake_host.hpp>

#include <http_test_server.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

using namespace backend_docker;
using csh::sdk::testing::FakeHost;
using csh::sdk::testing::HistogramSample;
using csh::test::HttpTestServer;
using csh::test::ScriptedResponse;
using namespace std::chrono_literals;

namespace {

const csh::sdk::testing::Labels kDocker{{"backend", "docker"}};

struct EngineFixture {
    EngineFixture() { fake.register_codes(kMessageTable, std::size(kMessageTable)); }
    ~EngineFixture() { BOOST_TEST(fake.misuse().empty()); }

    // A client of the engine at 127.0.0.1:`port`, with the plugin's metrics.
    std::shared_ptr<EngineClient> client(uint16_t port) {
        EngineEndpoint endpoint;
        endpoint.kind = EngineEndpoint::Kind::tcp;
        endpoint.tcp_host = "127.0.0.1";
        endpoint.tcp_port = port;
        return std::make_shared<EngineClient>(host, csh::loop_http::Connector::create(host, endpoint), 10s, metrics);
    }

    // Runs the loop until `done` was set by an operation's callback.
    template <class T>
    T wait(std::optional<T>& done) {
        BOOST_TEST_REQUIRE(fake.run_until([&] { return done.has_value(); }));
        return *done;
    }

    double counter(const char* name) { return fake.metric_value(name, kDocker).value_or(0); }
    std::optional<HistogramSample> timed(const char* operation) {
        return fake.histogram("containerssh_backend_request_duration_seconds",
                              {{"backend", "docker"}, {"operation", operation}});
    }

    FakeHost fake;
    csh::sdk::Host host{fake.host(), codes::DOCKER_BACKEND_INTERNAL_ERROR};
    std::shared_ptr<const EngineMetrics> metrics = std::make_shared<const EngineMetrics>(host);
    CallSite at{fake.strand_create(), nullptr};
};

// One observation in exactly one bucket, the per-bucket counts adding up.
void check_one_observation(const std::optional<HistogramSample>& series) {
    BOOST_TEST_REQUIRE(series.has_value());
    BOOST_TEST(series->count == 1u);
    BOOST_TEST(series->sum > 0.0);
    uint64_t in_buckets = 0;
    for (uint64_t n : series->buckets) in_buckets += n;
    BOOST_TEST(in_buckets == 1u);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_metrics)

BOOST_FIXTURE_TEST_CASE(each_request_counts_once_and_errors_are_the_answers_the_call_refuses, EngineFixture) {
    HttpTestServer engine;
    engine.respond("/version", {200, R"({"ApiVersion":"1.41"})"});
    engine.respond("/v1.41/containers/create", {201, R"({"Id":"c1"})"});
    engine.respond("/v1.41/containers/c1/start", {500, R"({"message":"cannot start"})"});
    engine.respond("/v1.41/containers/c1", {404, R"({"message":"no such container"})"});  // removal: gone is fine
    auto docker = client(engine.port());

    std::optional<std::string> created;
    docker->create_container(at, "", "", "{}", 10s, [&](EngineResult r, std::string id) {
        BOOST_TEST(r.ok());
        created = id;
    });
    BOOST_TEST(wait(created) == "c1");
    std::optional<EngineResult> started;
    docker->start_container(at, "c1", 10s, [&](EngineResult r) { started = r; });
    BOOST_TEST(wait(started).status == 500);
    std::optional<EngineResult> removed;
    docker->remove_container(at, "c1", 10s, [&](EngineResult r) { removed = r; });
    BOOST_TEST(wait(removed).ok());

    // The version question, create, start and remove: four requests reached
    // the engine, and four were counted.
    BOOST_TEST(engine.requests().size() == 4u);
    BOOST_TEST(counter("containerssh_backend_requests_total") == 4.0);
    BOOST_TEST(counter("containerssh_backend_errors_total") == 1.0);
    for (const char* operation : {"version", "container_create", "container_start", "container_remove"}) {
        BOOST_TEST_CONTEXT(operation) { check_one_observation(timed(operation)); }
    }
    BOOST_TEST(!timed("container_inspect").has_value());
}

BOOST_FIXTURE_TEST_CASE(a_slow_answer_lands_above_the_time_the_engine_took, EngineFixture) {
    HttpTestServer engine;
    engine.respond("/version", {200, R"({"ApiVersion":"1.41"})"});
    ScriptedResponse slow{200, R"({"State":{"Running":true,"ExitCode":0}})"};
    slow.delay = 60ms;
    engine.respond("/v1.41/containers/c1/json", slow);
    auto docker = client(engine.port());

    std::optional<EngineResult> inspected;
    docker->inspect_container(at, "c1", [&](EngineResult r, ProgramState) { inspected = r; });
    BOOST_TEST(wait(inspected).ok());

    const auto series = timed("container_inspect");
    check_one_observation(series);
    // The engine waited 60 ms before answering, so the request cannot have
    // taken less: every bucket up to 0.05 s is empty.
    BOOST_TEST(series->sum >= 0.06);
    BOOST_TEST_REQUIRE(series->bounds.size() + 1 == series->buckets.size());
    for (size_t i = 0; i < series->bounds.size() && series->bounds[i] <= 0.05; ++i) {
        BOOST_TEST_CONTEXT("bound " << series->bounds[i]) { BOOST_TEST(series->buckets[i] == 0u); }
    }
}

BOOST_FIXTURE_TEST_CASE(an_unreachable_engine_counts_the_one_request_that_failed, EngineFixture) {
    uint16_t closed_port = 0;
    {
        HttpTestServer gone;
        closed_port = gone.port();
    }
    auto docker = client(closed_port);

    std::optional<EngineResult> inspected;
    docker->inspect_container(at, "c1", [&](EngineResult r, ProgramState) { inspected = r; });
    const EngineResult result = wait(inspected);
    BOOST_TEST(result.unreachable);
    BOOST_TEST(result.error.rfind("inspecting the container: asking the engine for its version: ", 0) == 0u,
               result.error);

    // Only the version question was sent (and failed); the inspection never was.
    BOOST_TEST(counter("containerssh_backend_requests_total") == 1.0);
    BOOST_TEST(counter("containerssh_backend_errors_total") == 1.0);
    check_one_observation(timed("version"));
    BOOST_TEST(!timed("container_inspect").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
