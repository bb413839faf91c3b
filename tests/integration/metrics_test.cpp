// The metrics plugin and the health endpoint as operators use them: real
// OpenSSH logins move the counters, the real promtool accepts the scraped
// text, a real Prometheus scrapes it and answers queries, a real curl reads
// health, and `containerssh --healthcheck` gives the exit code a probe needs.
#define BOOST_TEST_MODULE integration_metrics
#include <boost/test/unit_test.hpp>

#include "harness/configs.hpp"
#include "curl_fetch.hpp"
#include "harness/gateway.hpp"
#include "harness/probes.hpp"

#include <cmath>
#include <csignal>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

using namespace csh::test;

namespace {

const User kAlice{"alice", "correct horse", ""};
const User kBob{"bob", "battery staple", ""};

// auth-static with alice and bob; the local backend refuses bob's
// connections (as a failing backend would).
std::string two_users_bob_refused() {
    return "auth:\n"
           "  password:\n"
           "    method: static\n"
           "    static:\n"
           "      users:\n"
           "        alice:\n"
           "          password: \"" + kAlice.password + "\"\n"
           "        bob:\n"
           "          password: \"" + kBob.password + "\"\n"
           "backend: local\n"
           "local:\n"
           "  shell: [/bin/sh]\n"
           "  refuseUsers: [bob]\n";
}

std::string metrics_and_health(const std::string& metrics_listen = "127.0.0.1:0") {
    return "metrics:\n"
           "  enable: true\n"
           "  listen: \"" + metrics_listen + "\"\n"
           "health:\n"
           "  enable: true\n"
           "  listen: \"127.0.0.1:0\"\n";
}

// The address field of the line the gateway logged with `code`.
std::string logged_address(Gateway& gateway, const std::string& code) {
    return json_field(gateway.wait_for(code), "address");
}

struct MetricsGateway {
    Gateway gateway{two_users_bob_refused() + metrics_and_health()};
    std::string metrics_url = "http://" + logged_address(gateway, "METRICS_AVAILABLE") + "/metrics";
    std::string health_url = "http://" + logged_address(gateway, "HEALTH_AVAILABLE") + "/";

    std::string scrape() {
        const auto r = curl({metrics_url});
        BOOST_REQUIRE_EQUAL(r.status, 200);
        return r.body;
    }
    // Connections end on the gateway's side a little after the client exits.
    std::string scrape_when_idle() {
        for (int i = 0; i < 100; ++i) {
            const auto text = scrape();
            if (sample(text, "containerssh_ssh_current_connections{country=\"XX\"}") == 0) return text;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return scrape();
    }
    // 3 good logins, 2 bad passwords, 1 login the backend refuses.
    void scripted_logins() {
        for (int i = 0; i < 3; ++i) BOOST_REQUIRE_EQUAL(ssh(gateway, {"alice", kAlice.password, {}}, {}, {"echo", "hi"}).out, "hi\n");
        for (int i = 0; i < 2; ++i) BOOST_REQUIRE_EQUAL(ssh(gateway, {"alice", "wrong", {}}, {}, {"true"}).exit_code, 255);
        const auto refused = ssh(gateway, {"bob", kBob.password, {}}, {}, {"true"});
        BOOST_REQUIRE_EQUAL(refused.exit_code, 255);
        BOOST_TEST(refused.err.find("The local backend refuses this user.") != std::string::npos);
    }
};

// promtool reads the text on stdin and prints nothing when it is clean.
RunResult promtool_check(const std::string& text) { return run({"promtool", "check", "metrics"}, text); }

}  // namespace

BOOST_AUTO_TEST_SUITE(counters)

BOOST_FIXTURE_TEST_CASE(a_scripted_sequence_moves_each_counter_by_exactly_its_amount, MetricsGateway) {
    scripted_logins();
    const auto text = scrape_when_idle();
    BOOST_TEST(sample(text, "containerssh_ssh_connections_total{country=\"XX\"}") == 6.0);
    BOOST_TEST(sample(text, "containerssh_ssh_successful_handshakes_total{country=\"XX\"}") == 3.0);
    BOOST_TEST(sample(text, "containerssh_ssh_failed_handshakes_total{country=\"XX\"}") == 3.0);
    BOOST_TEST(sample(text, "containerssh_ssh_current_connections{country=\"XX\"}") == 0.0);
    // auth-static answers through the host too: 3 + 1 successes, 2 failures
    // are its business; the core's histograms have their observations.
    BOOST_TEST(sample(text, "containerssh_ssh_handshake_duration_seconds_count") == 3.0);
    BOOST_TEST(sample(text, "containerssh_login_phase_duration_seconds_count{phase=\"key_exchange\"}") == 6.0);
    BOOST_TEST(sample(text, "containerssh_login_phase_duration_seconds_count{phase=\"authentication\"}") == 4.0);
    BOOST_TEST(sample(text, "containerssh_login_phase_duration_seconds_count{phase=\"backend\"}") == 3.0);
    BOOST_TEST(sample(text, "containerssh_login_phase_duration_seconds_count{phase=\"program_start\"}") == 3.0);
    BOOST_TEST(sample(text, "containerssh_login_first_output_duration_seconds_count") == 3.0);
    BOOST_TEST(sample(text, "containerssh_login_first_output_duration_seconds_sum") > 0.0);
    BOOST_TEST(sample(text, "containerssh_login_phase_duration_seconds_bucket{phase=\"backend\",le=\"+Inf\"}") == 3.0);
}

BOOST_FIXTURE_TEST_CASE(promtool_accepts_the_scraped_text, MetricsGateway) {
    scripted_logins();
    const auto text = scrape_when_idle();
    const auto r = promtool_check(text);
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.out + r.err == "");
}

BOOST_FIXTURE_TEST_CASE(openmetrics_when_the_scraper_asks_for_it, MetricsGateway) {
    BOOST_REQUIRE_EQUAL(ssh(gateway, {"alice", kAlice.password, {}}, {}, {"true"}).exit_code, 0);
    const auto r = curl({"-H", "Accept: application/openmetrics-text;version=1.0.0", metrics_url});
    BOOST_TEST(r.status == 200);
    BOOST_TEST(r.body.find("# TYPE containerssh_ssh_connections counter\n") != std::string::npos);
    BOOST_TEST(r.body.find("containerssh_ssh_connections_total{country=\"XX\"} 1") != std::string::npos);
    BOOST_TEST(r.body.size() >= 6);
    BOOST_TEST(r.body.substr(r.body.size() - 6) == "# EOF\n");
}

BOOST_FIXTURE_TEST_CASE(other_paths_are_not_found, MetricsGateway) {
    const auto base = metrics_url.substr(0, metrics_url.size() - std::string("/metrics").size());
    BOOST_TEST(curl({base + "/other"}).status == 404);
    BOOST_TEST(curl({base + "/"}).status == 404);
    BOOST_TEST(curl({metrics_url}).status == 200);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(prometheus)

// A real Prometheus on loopback scrapes the gateway every second; its query
// API must report what the logins did.
BOOST_FIXTURE_TEST_CASE(a_real_prometheus_scrapes_and_answers_queries, MetricsGateway) {
    scripted_logins();
    scrape_when_idle();
    const auto target = metrics_url.substr(std::string("http://").size(),
                                           metrics_url.size() - std::string("http://").size() - std::string("/metrics").size());
    TempDir dir;
    const auto config = dir.path() / "prometheus.yml";
    write_file(config, "global:\n  scrape_interval: 1s\n"
                       "scrape_configs:\n"
                       "  - job_name: containerssh\n"
                       "    static_configs:\n"
                       "      - targets: [\"" + target + "\"]\n");
    // Its own port: bind 0 is not offered by Prometheus, so take one the
    // kernel just handed out and released.
    const auto probe = run({"python3", "-c",
                            "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"});
    const std::string port = probe.out.substr(0, probe.out.find('\n'));
    Child prometheus({"prometheus", "--config.file=" + config.string(),
                      "--storage.tsdb.path=" + (dir.path() / "data").string(),
                      "--web.listen-address=127.0.0.1:" + port, "--log.level=warn"});
    const std::string api = "http://127.0.0.1:" + port + "/api/v1/query?query=";
    std::string answer;
    for (int i = 0; i < 300; ++i) {
        answer = curl({api + "containerssh_ssh_connections_total"}).body;
        if (answer.find("\"6\"") != std::string::npos) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    BOOST_TEST(answer.find("\"country\":\"XX\"") != std::string::npos);
    BOOST_TEST(answer.find("\"6\"") != std::string::npos, answer);
    BOOST_TEST(curl({api + "containerssh_ssh_failed_handshakes_total"}).body.find("\"3\"") != std::string::npos);
    BOOST_TEST(curl({api + "containerssh_ssh_successful_handshakes_total"}).body.find("\"3\"") != std::string::npos);
    BOOST_TEST(curl({api + "containerssh_ssh_current_connections"}).body.find("\"0\"") != std::string::npos);
    BOOST_TEST(curl({api + "containerssh_login_first_output_duration_seconds_count"}).body.find("\"3\"") !=
               std::string::npos);
    // The scrape itself succeeded (Prometheus asked for OpenMetrics).
    BOOST_TEST(curl({api + "up"}).body.find("\"1\"") != std::string::npos);
    prometheus.stop(SIGTERM, std::chrono::seconds(10));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(geoip)

BOOST_AUTO_TEST_CASE(maxmind_gives_the_country_the_database_has_for_loopback) {
    TempDir dir;
    const auto database = dir.path() / "countries.mmdb";
    const auto written = run({"perl", std::string(CSH_TEST_SUPPORT_DIR) + "/write-geoip-db.pl", database.string(),
                              "127.0.0.0/8=DE", "192.0.2.0/24=JP"});
    BOOST_REQUIRE_MESSAGE(written.exit_code == 0, written.err);
    Gateway gateway(static_auth_local_backend(kAlice) + metrics_and_health() +
                    "geoip:\n  provider: maxmind\n  maxmind-geoip2-file: \"" + database.string() + "\"\n");
    const auto url = "http://" + logged_address(gateway, "METRICS_AVAILABLE") + "/metrics";
    BOOST_REQUIRE_EQUAL(ssh(gateway, {"alice", kAlice.password, {}}, {}, {"true"}).exit_code, 0);
    const auto text = curl({url}).body;
    BOOST_TEST(sample(text, "containerssh_ssh_connections_total{country=\"DE\"}") == 1.0);
    BOOST_TEST(std::isnan(sample(text, "containerssh_ssh_connections_total{country=\"XX\"}")));
}

BOOST_AUTO_TEST_CASE(a_missing_database_stops_the_start_with_its_code) {
    TempDir dir;
    const auto config = dir.path() / "config.yaml";
    write_file(config, "backend: local\n"
                       "geoip:\n  provider: maxmind\n  maxmind-geoip2-file: /nonexistent/GeoIP2-Country.mmdb\n");
    const auto r = run_gateway({"--config", config.string()});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(r.out.find("GEOIP_DATABASE_FAILED") != std::string::npos);
    BOOST_TEST(r.out.find("/nonexistent/GeoIP2-Country.mmdb") != std::string::npos);
    BOOST_TEST(r.out.find("SSH_AVAILABLE") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(listening)

BOOST_AUTO_TEST_CASE(a_second_instance_on_the_same_metrics_port_fails_with_its_code) {
    Gateway first(static_auth_local_backend(kAlice) + metrics_and_health());
    const auto address = logged_address(first, "METRICS_AVAILABLE");
    BOOST_REQUIRE(!address.empty());
    // The second one ends before its SSH port takes anyone.
    const auto second = run_gateway_config(static_auth_local_backend(kAlice) + metrics_and_health(address));
    BOOST_TEST(second.exit_code == 1);
    const auto failed = second.out.find("METRICS_LISTEN_FAILED");
    BOOST_TEST_REQUIRE(failed != std::string::npos);
    BOOST_TEST(second.out.find(address, failed) != std::string::npos);
    BOOST_TEST(second.out.find("SSH_AVAILABLE") == std::string::npos);
    BOOST_TEST(second.out.find("SERVICE_POOL_RUNNING") == std::string::npos);
    // The first one still serves.
    BOOST_TEST(curl({"http://" + address + "/metrics"}).status == 200);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(health)

BOOST_FIXTURE_TEST_CASE(ok_while_running_on_any_path, MetricsGateway) {
    gateway.wait_for("SERVICE_POOL_RUNNING");
    const auto r = curl({health_url});
    BOOST_TEST(r.status == 200);
    BOOST_TEST(r.body == "\"ok\"");
    BOOST_TEST(curl({health_url + "anything/else"}).status == 200);
}

BOOST_FIXTURE_TEST_CASE(healthcheck_command_exits_0_when_ok_and_1_when_down, MetricsGateway) {
    gateway.wait_for("SERVICE_POOL_RUNNING");
    const auto config = gateway.dir() / "healthcheck.yaml";
    write_file(config, "health:\n  client:\n    url: \"" + health_url + "\"\n");
    const auto up = run_gateway({"--config", config.string(), "--healthcheck"});
    BOOST_TEST(up.exit_code == 0, up.out + up.err);
    gateway.stop(SIGTERM);
    const auto down = run_gateway({"--config", config.string(), "--healthcheck"});
    BOOST_TEST(down.exit_code == 1);
    BOOST_TEST(down.out.find("HEALTH_CHECK_FAILED") != std::string::npos);
}

// From the moment SIGTERM arrives the endpoint says "not ok" while open
// sessions drain: the session's program ignores SIGHUP, so the backend takes
// its 2 s grace before killing it, and the gateway is still up meanwhile.
BOOST_FIXTURE_TEST_CASE(not_ok_from_sigterm_while_sessions_drain, MetricsGateway) {
    gateway.wait_for("SERVICE_POOL_RUNNING");
    BOOST_REQUIRE_EQUAL(curl({health_url}).status, 200);
    Child session(ssh_command(gateway, {"alice", kAlice.password, {}}, {},
                              {"trap '' HUP; echo started; sleep 30"}),
                  ssh_env(gateway, {"alice", kAlice.password, {}}));
    std::string line;
    BOOST_REQUIRE(session.read_line(line, std::chrono::seconds(10)));
    BOOST_REQUIRE_EQUAL(line, "started");

    ::kill(gateway.pid(), SIGTERM);
    Fetched during;
    for (int i = 0; i < 50; ++i) {
        during = curl({health_url});
        if (during.status != 200) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    BOOST_TEST(during.status == 503);
    BOOST_TEST(during.body == "\"not ok\"");
    BOOST_TEST(gateway.running());  // still draining
    BOOST_TEST(gateway.count("SERVICE_POOL_STOPPED") == 0);
    BOOST_TEST(gateway.stop(SIGTERM) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
