// metrics.so loaded from its file and driven through the C ABI with FakeHost.
// Metrics are defined and updated through the fake host's registry, the
// plugin serves them on 127.0.0.1 (the port comes from its METRICS_AVAILABLE
// line), and the real curl scrapes; promtool and the Python client's strict
// OpenMetrics parser judge the texts.
#define BOOST_TEST_MODULE metrics_plugin
#include <boost/test/unit_test.hpp>

#include <containerssh/sdk/host.hpp>
#include <containerssh/sdk/testing/fake_host.hpp>
#include <containerssh/sdk/testing/plugin_instance.hpp>

#include "curl_fetch.hpp"
#include "process.hpp"
#include "temp_dir.hpp"
#include "test_pki.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using csh::sdk::testing::FakeHost;
using csh::sdk::testing::PluginInstance;
using csh::sdk::testing::SharedObject;

namespace {

const std::string kPluginPath = std::string(CSH_PLUGIN_BUILD_DIR) + "/metrics.so";
const std::string kLocal = R"({"enable": true, "listen": "127.0.0.1:0"})";

// The plugin with its own FakeHost; `start()` returns whether it serves.
struct Exporter {
    explicit Exporter(const std::string& metrics_json) {
        fake.set_section("metrics", metrics_json);
        plugin = std::make_unique<PluginInstance>(fake, library.descriptor());
        api = plugin->interface<csh_metrics_interface>(CSH_METRICS_INTERFACE_ID);
    }
    ~Exporter() {
        if (started) api->stop(plugin->get());
        BOOST_TEST(fake.misuse().empty());
    }

    bool start() {
        BOOST_REQUIRE(api != nullptr);
        started = api->start(plugin->get()) == CSH_OK;
        return started;
    }
    void stop() {
        api->stop(plugin->get());
        started = false;
    }
    // The address the METRICS_AVAILABLE line gave, "127.0.0.1:PORT".
    std::string address() const {
        const auto lines = fake.lines_with_code("METRICS_AVAILABLE");
        BOOST_REQUIRE(!lines.empty());
        return lines.back().field("address");
    }
    std::string url(const std::string& path = "/metrics") const { return "http://" + address() + path; }

    FakeHost fake;
    csh::sdk::Host host{fake.host(), nullptr};  // the registry, as the core and other plugins fill it
    SharedObject library{kPluginPath};
    std::unique_ptr<PluginInstance> plugin;
    const csh_metrics_interface* api = nullptr;
    bool started = false;
};

// A registry like the gateway's: counters and a gauge with the country
// label, and a histogram with two labels.
void fill_registry(const csh::sdk::Host& host) {
    const auto connections = host.metric_define(CSH_METRIC_COUNTER, "containerssh_ssh_connections_total",
                                                "TCP connections accepted by the SSH server.", "connections",
                                                {"country"});
    const auto current = host.metric_define(CSH_METRIC_GAUGE, "containerssh_ssh_current_connections",
                                            "TCP connections open right now.", "connections", {"country"});
    const auto requests = host.metric_define(CSH_METRIC_COUNTER, "containerssh_auth_server_requests_total",
                                             "Requests sent to the authentication server.", "requests",
                                             {"authtype", "retry"});
    const auto durations = host.histogram_define("containerssh_backend_request_duration_seconds",
                                                 "How long each request to the container engine took.", "seconds",
                                                 {"backend", "operation"}, {0.1, 0.5, 1});
    host.metric_add(connections, {"XX"}, 3);
    host.metric_add(connections, {"DE"}, 1);
    host.metric_set(current, {"XX"}, 2);
    host.metric_add(requests, {"password", "0"}, 5);
    for (double seconds : {0.0625, 0.25, 0.5, 4.0}) host.metric_observe(durations, {"docker", "inspect"}, seconds);
}

const std::string kExpectedText =
    "# HELP containerssh_ssh_connections_total TCP connections accepted by the SSH server.\n"
    "# TYPE containerssh_ssh_connections_total counter\n"
    "containerssh_ssh_connections_total{country=\"DE\"} 1\n"
    "containerssh_ssh_connections_total{country=\"XX\"} 3\n"
    "# HELP containerssh_ssh_current_connections TCP connections open right now.\n"
    "# TYPE containerssh_ssh_current_connections gauge\n"
    "containerssh_ssh_current_connections{country=\"XX\"} 2\n"
    "# HELP containerssh_auth_server_requests_total Requests sent to the authentication server.\n"
    "# TYPE containerssh_auth_server_requests_total counter\n"
    "containerssh_auth_server_requests_total{authtype=\"password\",retry=\"0\"} 5\n"
    "# HELP containerssh_backend_request_duration_seconds How long each request to the container engine took.\n"
    "# TYPE containerssh_backend_request_duration_seconds histogram\n"
    "containerssh_backend_request_duration_seconds_count{backend=\"docker\",operation=\"inspect\"} 4\n"
    "containerssh_backend_request_duration_seconds_sum{backend=\"docker\",operation=\"inspect\"} 4.8125\n"
    "containerssh_backend_request_duration_seconds_bucket{backend=\"docker\",operation=\"inspect\",le=\"0.1\"} 1\n"
    "containerssh_backend_request_duration_seconds_bucket{backend=\"docker\",operation=\"inspect\",le=\"0.5\"} 3\n"
    "containerssh_backend_request_duration_seconds_bucket{backend=\"docker\",operation=\"inspect\",le=\"1\"} 3\n"
    "containerssh_backend_request_duration_seconds_bucket{backend=\"docker\",operation=\"inspect\",le=\"+Inf\"} 4\n";

const std::string kExpectedOpenMetrics =
    "# HELP containerssh_ssh_connections TCP connections accepted by the SSH server.\n"
    "# TYPE containerssh_ssh_connections counter\n"
    "# UNIT containerssh_ssh_connections connections\n"
    "containerssh_ssh_connections_total{country=\"DE\"} 1.0\n"
    "containerssh_ssh_connections_total{country=\"XX\"} 3.0\n"
    "# HELP containerssh_ssh_current_connections TCP connections open right now.\n"
    "# TYPE containerssh_ssh_current_connections gauge\n"
    "# UNIT containerssh_ssh_current_connections connections\n"
    "containerssh_ssh_current_connections{country=\"XX\"} 2.0\n"
    "# HELP containerssh_auth_server_requests Requests sent to the authentication server.\n"
    "# TYPE containerssh_auth_server_requests counter\n"
    "# UNIT containerssh_auth_server_requests requests\n"
    "containerssh_auth_server_requests_total{authtype=\"password\",retry=\"0\"} 5.0\n"
    "# HELP containerssh_backend_request_duration_seconds How long each request to the container engine took.\n"
    "# TYPE containerssh_backend_request_duration_seconds histogram\n"
    "# UNIT containerssh_backend_request_duration_seconds seconds\n"
    "containerssh_backend_request_duration_seconds_bucket{backend=\"docker\",operation=\"inspect\",le=\"0.1\"} 1\n"
    "containerssh_backend_request_duration_seconds_bucket{backend=\"docker\",operation=\"inspect\",le=\"0.5\"} 3\n"
    "containerssh_backend_request_duration_seconds_bucket{backend=\"docker\",operation=\"inspect\",le=\"1.0\"} 3\n"
    "containerssh_backend_request_duration_seconds_bucket{backend=\"docker\",operation=\"inspect\",le=\"+Inf\"} 4\n"
    "containerssh_backend_request_duration_seconds_sum{backend=\"docker\",operation=\"inspect\"} 4.8125\n"
    "containerssh_backend_request_duration_seconds_count{backend=\"docker\",operation=\"inspect\"} 4\n"
    "# EOF\n";

// The Python client's OpenMetrics parser, which refuses what the standard
// does not allow; prints each family as name:type:unit:samples.
const char kOpenMetricsCheck[] = R"(
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
for f in text_string_to_metric_families(sys.stdin.read()):
    print("%s:%s:%s:%d" % (f.name, f.type, f.unit, len(f.samples)))
)";

const char kOpenMetricsAccept[] =
    "Accept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
    "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

// The line of `code` the plugin logged last.
csh::sdk::testing::LogLine last_line(const FakeHost& fake, const char* code) {
    const auto lines = fake.lines_with_code(code);
    BOOST_REQUIRE_MESSAGE(!lines.empty(), "no " << code << " line");
    return lines.back();
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_text_format_is_exact_and_promtool_finds_nothing_to_say) {
    Exporter exporter(kLocal);
    fill_registry(exporter.host);
    BOOST_REQUIRE(exporter.start());
    const auto available = last_line(exporter.fake, "METRICS_AVAILABLE");
    BOOST_TEST(available.level == CSH_LOG_INFO);
    BOOST_TEST(available.field("path") == "/metrics");
    BOOST_TEST(available.field("tls") == "false");
    BOOST_TEST(available.message == "serving metrics on " + exporter.url());

    const auto scrape = csh::test::curl({exporter.url()});
    BOOST_TEST(scrape.curl_exit == 0, scrape.curl_error);
    BOOST_TEST(scrape.status == 200);
    BOOST_TEST(scrape.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
    BOOST_TEST(scrape.body == kExpectedText);

    const auto promtool = csh::test::run({"promtool", "check", "metrics"}, scrape.body);
    BOOST_TEST(promtool.exit_code == 0);
    BOOST_TEST(promtool.out + promtool.err == "");
}

BOOST_AUTO_TEST_CASE(openmetrics_when_the_scraper_asks_for_it) {
    Exporter exporter(kLocal);
    fill_registry(exporter.host);
    BOOST_REQUIRE(exporter.start());
    const auto scrape = csh::test::curl({"-H", kOpenMetricsAccept, exporter.url()});
    BOOST_TEST(scrape.status == 200);
    BOOST_TEST(scrape.header("Content-Type") == "application/openmetrics-text; version=1.0.0; charset=utf-8");
    BOOST_TEST(scrape.body == kExpectedOpenMetrics);

    const auto parsed = csh::test::run({"/usr/bin/python3", "-c", kOpenMetricsCheck}, scrape.body);
    BOOST_TEST(parsed.exit_code == 0, parsed.err);
    BOOST_TEST(parsed.out ==
               "containerssh_ssh_connections:counter:connections:2\n"
               "containerssh_ssh_current_connections:gauge:connections:1\n"
               "containerssh_auth_server_requests:counter:requests:1\n"
               "containerssh_backend_request_duration_seconds:histogram:seconds:6\n");
}

BOOST_AUTO_TEST_CASE(a_scrape_sees_the_registry_as_it_is_at_that_moment) {
    Exporter exporter(kLocal);
    BOOST_REQUIRE(exporter.start());
    BOOST_TEST(csh::test::curl({exporter.url()}).body == "");
    BOOST_TEST(csh::test::curl({"-H", kOpenMetricsAccept, exporter.url()}).body == "# EOF\n");

    const auto errors = exporter.host.metric_define(CSH_METRIC_COUNTER, "containerssh_backend_errors_total",
                                                    "Failed container API requests.", "errors", {"backend"});
    exporter.host.metric_add(errors, {"docker"}, 1);
    BOOST_TEST(csh::test::curl({exporter.url()}).body ==
               "# HELP containerssh_backend_errors_total Failed container API requests.\n"
               "# TYPE containerssh_backend_errors_total counter\n"
               "containerssh_backend_errors_total{backend=\"docker\"} 1\n");
    exporter.host.metric_add(errors, {"docker"}, 1);
    const std::string body = csh::test::curl({exporter.url()}).body;
    BOOST_TEST(body.find("containerssh_backend_errors_total{backend=\"docker\"} 2\n") != std::string::npos, body);
}

// A scraper that leaves while the answer is still going out (its timeout
// expired): the plugin cannot tell it anything, so the log must.
BOOST_AUTO_TEST_CASE(a_scraper_that_leaves_mid_answer_is_logged) {
    Exporter exporter(kLocal);
    BOOST_REQUIRE(exporter.start());
    // An answer far larger than the socket buffers (about 30 MB), so the
    // server is still writing when the connection is reset.
    const auto series = exporter.host.metric_define(CSH_METRIC_COUNTER, "containerssh_test_series_total",
                                                    "Many series.", "things", {"name"});
    for (int i = 0; i < 300000; ++i) exporter.host.metric_add(series, {"series-" + std::to_string(i) + std::string(60, 'x')}, 1);
    const std::string address = exporter.address();
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    BOOST_TEST_REQUIRE(fd >= 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(address.rfind(':') + 1))));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    BOOST_TEST_REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);
    const std::string request = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
    BOOST_TEST_REQUIRE(::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size()));
    char some[4096];
    BOOST_TEST(::read(fd, some, sizeof some) > 0);
    ::close(fd);  // unread data at close: the kernel resets the connection
    std::vector<csh::sdk::testing::LogLine> lines;
    for (int i = 0; i < 300 && lines.empty(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        lines = exporter.fake.lines_with_code("METRICS_SCRAPE_WRITE_FAILED");
    }
    BOOST_TEST_REQUIRE(lines.size() == 1u);
    BOOST_TEST(lines[0].field("path") == "/metrics");
    BOOST_TEST(lines[0].field("client").rfind("127.0.0.1:", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(head_gets_the_headers_only) {
    Exporter exporter(kLocal);
    fill_registry(exporter.host);
    BOOST_REQUIRE(exporter.start());
    const auto head = csh::test::curl({"--head", exporter.url()});
    BOOST_TEST(head.status == 200);
    BOOST_TEST(head.header("Content-Length") == std::to_string(kExpectedText.size()));
    BOOST_TEST(head.body.empty());
}

BOOST_AUTO_TEST_CASE(another_path_is_404_and_another_method_405) {
    Exporter exporter(R"({"listen": "127.0.0.1:0", "path": "/custom/metrics"})");
    BOOST_REQUIRE(exporter.start());
    BOOST_TEST(csh::test::curl({exporter.url("/custom/metrics")}).status == 200);
    BOOST_TEST(csh::test::curl({exporter.url("/custom/metrics?name[]=x")}).status == 200);
    BOOST_TEST(csh::test::curl({exporter.url("/metrics")}).status == 404);
    BOOST_TEST(csh::test::curl({exporter.url("/")}).status == 404);
    BOOST_TEST(csh::test::curl({exporter.url("/custom/metrics/")}).status == 404);
    const auto post = csh::test::curl({"-X", "POST", exporter.url("/custom/metrics")});
    BOOST_TEST(post.status == 405);
    BOOST_TEST(post.header("Allow") == "GET, HEAD");
}

BOOST_AUTO_TEST_CASE(a_second_instance_on_the_same_port_fails_with_its_code) {
    Exporter first(kLocal);
    BOOST_REQUIRE(first.start());
    Exporter second(R"({"listen": ")" + first.address() + R"("})");
    BOOST_TEST(!second.start());
    const auto failed = last_line(second.fake, "METRICS_LISTEN_FAILED");
    BOOST_TEST(failed.level == CSH_LOG_CRITICAL);
    BOOST_TEST(failed.field("address") == first.address());
    BOOST_TEST(failed.message.find(first.address()) != std::string::npos, failed.message);
    BOOST_TEST(failed.message.find("in use") != std::string::npos, failed.message);
    BOOST_TEST(second.fake.count_code("METRICS_AVAILABLE") == 0u);
    // The first still serves.
    BOOST_TEST(csh::test::curl({first.url()}).status == 200);
}

BOOST_AUTO_TEST_CASE(the_default_address_is_every_interface_port_9100) {
    // Whether or not 9100 is free here, the line names the address tried.
    Exporter exporter(R"({"enable": true})");
    if (exporter.start()) {
        BOOST_TEST(exporter.address() == "0.0.0.0:9100");
    } else {
        BOOST_TEST(last_line(exporter.fake, "METRICS_LISTEN_FAILED").field("address") == "0.0.0.0:9100");
    }
}

BOOST_AUTO_TEST_CASE(after_stop_nothing_listens) {
    Exporter exporter(kLocal);
    BOOST_REQUIRE(exporter.start());
    const std::string url = exporter.url();
    BOOST_TEST(csh::test::curl({url}).status == 200);
    exporter.stop();
    BOOST_TEST(csh::test::curl({url}).curl_exit == 7);  // CURLE_COULDNT_CONNECT
}

BOOST_AUTO_TEST_CASE(https_with_client_certificates) {
    csh::test::TempDir dir;
    const auto pki = csh::test::make_test_pki(dir.file("pki"));
    Exporter exporter(R"({"listen": "127.0.0.1:0", "cert": ")" + pki.server_cert + R"(", "key": ")" + pki.server_key +
                      R"(", "clientcacert": ")" + pki.ca_cert + R"("})");
    fill_registry(exporter.host);
    BOOST_REQUIRE(exporter.start());
    const auto available = last_line(exporter.fake, "METRICS_AVAILABLE");
    BOOST_TEST(available.field("tls") == "true");
    const std::string url = "https://" + exporter.address() + "/metrics";
    BOOST_TEST(available.message == "serving metrics on " + url);

    const auto without = csh::test::curl({"--cacert", pki.ca_cert, url});
    BOOST_TEST(without.curl_exit != 0);
    BOOST_TEST(without.status == 0);
    const auto with =
        csh::test::curl({"--cacert", pki.ca_cert, "--cert", pki.client_cert, "--key", pki.client_key, url});
    BOOST_TEST(with.curl_exit == 0, with.curl_error);
    BOOST_TEST(with.body == kExpectedText);
}

BOOST_AUTO_TEST_CASE(refused_tls_material_fails_the_start_with_its_code) {
    csh::test::TempDir dir;
    const auto pki = csh::test::make_test_pki(dir.file("pki"));
    Exporter exporter(R"({"listen": "127.0.0.1:0", "cert": ")" + pki.server_cert + R"(", "key": ")" + pki.client_key +
                      R"("})");
    BOOST_TEST(!exporter.start());
    const auto failed = last_line(exporter.fake, "METRICS_TLS_FAILED");
    BOOST_TEST(failed.level == CSH_LOG_CRITICAL);
    BOOST_TEST(failed.message.find("key") != std::string::npos, failed.message);
    BOOST_TEST(failed.message.find("127.0.0.1:0") != std::string::npos, failed.message);
}

BOOST_AUTO_TEST_CASE(invalid_settings_fail_init_naming_the_key) {
    for (const auto& [json, key] : std::vector<std::pair<std::string, std::string>>{
             {R"({"path": "metrics"})", "metrics.path"},
             {R"({"path": ""})", "metrics.path"},
             {R"({"tlsVersion": "1.0"})", "metrics.tlsVersion"},
             {R"({"listen": "9100"})", "metrics.listen"},
             {R"({"cipher": ["TLS_RSA_WITH_RC4_128_SHA"]})", "metrics.cipher"},
             {R"({"cert": "/nonexistent/metrics.crt", "key": "/nonexistent/metrics.key"})", "metrics.cert"}}) {
        FakeHost fake;
        fake.set_section("metrics", json);
        SharedObject library(kPluginPath);
        PluginInstance plugin(fake, library.descriptor());
        BOOST_TEST(plugin.init_status() == CSH_FAILED, json);
        const auto lines = fake.lines_with_code("METRICS_CONFIG_INVALID");
        BOOST_REQUIRE_MESSAGE(lines.size() == 1u, json);
        BOOST_TEST(lines[0].field("key") == key, json);
        BOOST_TEST(lines[0].message.find(key) != std::string::npos, lines[0].message);
    }
}

BOOST_AUTO_TEST_CASE(the_descriptor_names_what_the_plugin_provides) {
    SharedObject library(kPluginPath);
    const csh_plugin_descriptor* descriptor = library.descriptor();
    BOOST_TEST(std::string(descriptor->id) == "io.containerssh.metrics.prometheus");
    BOOST_REQUIRE(descriptor->provides_count == 1u);
    BOOST_TEST(std::string(descriptor->provides[0]) == "metrics/prometheus");
}
