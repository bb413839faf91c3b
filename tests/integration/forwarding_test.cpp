// Port forwarding through the real OpenSSH client, with the local test
// backend dialing targets (direct-tcpip: ssh -L and ssh -W) and listening
// (tcpip-forward: ssh -R) on this host: the bytes both ways, many channels
// at once, a refused target, a port 0, a cancel, the forwarding modes and
// limits, the audit records, the metrics and the descriptors a disconnect
// leaves. docs/forwarding.md describes the feature.
#define BOOST_TEST_MODULE integration_forwarding
#include <boost/test/unit_test.hpp>

#include "harness/configs.hpp"
#include "harness/forwarding.hpp"
#include "harness/gateway.hpp"
#include "harness/probes.hpp"
#include "curl_fetch.hpp"

#include <simdjson.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <regex>
#include <sstream>
#include <csignal>
#include <thread>

using namespace csh::test;

BOOST_TEST_GLOBAL_FIXTURE(BrokenPipesDoNotKill);

namespace {

const User kAlice{"alice", "correct horse", ""};
const SshLogin kLogin{"alice", "correct horse", {}};

std::string with_forwarding(const std::string& mode_yaml) {
    return static_auth_local_backend(kAlice) + mode_yaml;
}
const std::string kEnable = "security:\n  forwarding:\n    forwardingMode: enable\n";

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

// The audit recorder with forwarded bytes recorded.
std::string audit_with_forwarding(const std::string& file) {
    std::string yaml = audit_recorder(file);
    const std::string after = "    stderr: true\n";
    yaml.insert(yaml.find(after) + after.size(), "    forwarding: true\n");
    return yaml;
}

struct AuditEvent {
    int type = -1;
    int64_t channel = -1;
    std::string payload;  // the payload object as JSON text
};

std::vector<AuditEvent> audit_events(const std::string& file) {
    std::vector<AuditEvent> events;
    simdjson::dom::parser parser;
    std::istringstream lines(read_file(file));
    for (std::string line; std::getline(lines, line);) {
        simdjson::dom::element e;
        if (parser.parse(line).get(e) != simdjson::SUCCESS) continue;
        AuditEvent event;
        event.type = static_cast<int>(int64_t(e["type"]));
        int64_t channel = -1;
        if (e["channelId"].get(channel) == simdjson::SUCCESS) event.channel = channel;
        event.payload = simdjson::minify(e["payload"]);
        events.push_back(event);
    }
    return events;
}

// `count` connections to `port` at once, each sending `size` random bytes
// (different ones) to an echo server behind it: each must come back unchanged.
void round_trips_at_once(int port, int count, size_t size) {
    std::vector<std::string> inputs;
    for (int i = 0; i < count; ++i) {
        std::string data = random_bytes(size);
        data[0] = static_cast<char>(i);  // each connection's bytes differ
        inputs.push_back(std::move(data));
    }
    std::vector<std::string> outputs(inputs.size());
    std::vector<std::thread> clients;
    for (size_t i = 0; i < inputs.size(); ++i) {
        clients.emplace_back([&, i] { outputs[i] = round_trip(port, inputs[i]); });
    }
    for (auto& t : clients) t.join();
    for (size_t i = 0; i < inputs.size(); ++i) {
        BOOST_TEST(outputs[i].size() == inputs[i].size(), "connection " << i);
        BOOST_TEST((outputs[i] == inputs[i]), "connection " << i << " came back changed");
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(forwarding_enabled)

BOOST_AUTO_TEST_CASE(ssh_W_moves_8_MiB_both_ways_unchanged) {
    EchoServer echo;
    Gateway gateway(with_forwarding(kEnable));
    const std::string data = random_bytes(8u << 20);
    const auto r = ssh(gateway, kLogin, {"-W", "127.0.0.1:" + std::to_string(echo.port())}, {}, data,
                       std::chrono::seconds(120));
    BOOST_TEST(r.exit_code == 0, describe(r));
    BOOST_TEST(r.out.size() == data.size());
    BOOST_TEST((r.out == data), "the bytes came back changed");
    const auto line = gateway.wait_for("SSH_FORWARD_OPENED");
    BOOST_TEST(json_field(line, "target") == "127.0.0.1:" + std::to_string(echo.port()));
    BOOST_TEST(!gateway.wait_for("SSH_FORWARD_CLOSED").empty());
}

// The everyday use: a web server reached through -L, with curl.
BOOST_AUTO_TEST_CASE(ssh_L_serves_a_file_from_an_http_server_to_curl) {
    TempDir www;
    const std::string body = random_hex(4096);
    write_file(www.path() / "page.txt", body);
    const int http_port = closed_port();
    Child server({"python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", www.path().string(),
                  std::to_string(http_port)},
                 {}, (www.path() / "server.log").string());
    BOOST_REQUIRE(eventually(
        [&] {
            const int fd = connect_loopback(http_port);
            if (fd >= 0) ::close(fd);
            return fd >= 0;
        },
        std::chrono::seconds(20)));
    Gateway gateway(with_forwarding(kEnable));
    LocalForward forward(gateway, kLogin, "127.0.0.1:" + std::to_string(http_port));
    BOOST_REQUIRE_MESSAGE(forward.ready, "the -L port never accepted");
    const auto r = run({"curl", "-sS", "--max-time", "20",
                        "http://127.0.0.1:" + std::to_string(forward.local_port) + "/page.txt"});
    BOOST_TEST(r.exit_code == 0, describe(r));
    BOOST_TEST(r.out == body);
}

BOOST_AUTO_TEST_CASE(ssh_L_carries_eight_concurrent_connections_of_4_MiB) {
    EchoServer echo;
    Gateway gateway(with_forwarding(kEnable));
    LocalForward forward(gateway, kLogin, "127.0.0.1:" + std::to_string(echo.port()));
    BOOST_REQUIRE_MESSAGE(forward.ready, "the -L port never accepted");
    round_trips_at_once(forward.local_port, 8, 4u << 20);
    // The probe connections of LocalForward count too.
    BOOST_TEST(echo.accepted() >= 8);
    BOOST_TEST(gateway.count("SSH_FORWARD_OPENED") >= 8u);
}

BOOST_AUTO_TEST_CASE(a_refused_target_fails_the_open_and_says_why) {
    const std::string audit_file = (std::filesystem::temp_directory_path() / ("fwd-refused-" + random_hex(8))).string();
    Gateway gateway(with_forwarding(kEnable) + audit_recorder(audit_file));
    const int port = closed_port();
    const auto r = ssh(gateway, kLogin, {"-o", "LogLevel=INFO", "-W", "127.0.0.1:" + std::to_string(port)}, {});
    BOOST_TEST(r.exit_code == 255, describe(r));
    BOOST_TEST(contains(r.err, "open failed"), describe(r));
    const auto line = gateway.wait_for("SSH_FORWARD_REFUSED");
    BOOST_TEST(contains(json_field(line, "reason"), "Connection refused"), line);
    BOOST_TEST(json_field(line, "target") == "127.0.0.1:" + std::to_string(port));
    gateway.wait_for("SSH_DISCONNECTED");
    bool failed_recorded = false;
    for (const auto& e : audit_events(audit_file)) {
        if (e.type == 302) failed_recorded = contains(e.payload, "direct-tcpip") && contains(e.payload, "Connection refused");
    }
    BOOST_TEST(failed_recorded);
    std::filesystem::remove(audit_file);
}

BOOST_AUTO_TEST_CASE(audit_records_the_channel_its_target_and_with_intercept_its_bytes) {
    EchoServer echo;
    const std::string audit_file = (std::filesystem::temp_directory_path() / ("fwd-audit-" + random_hex(8))).string();
    Gateway gateway(with_forwarding(kEnable) + audit_with_forwarding(audit_file));
    const auto r = ssh(gateway, kLogin, {"-W", "127.0.0.1:" + std::to_string(echo.port())}, {}, "ping forwarded\n");
    BOOST_TEST(r.exit_code == 0, describe(r));
    BOOST_TEST(r.out == "ping forwarded\n");
    gateway.wait_for("SSH_DISCONNECTED");
    BOOST_REQUIRE(eventually([&] { return contains(read_file(audit_file), "\"type\":1,"); }, std::chrono::seconds(10)));
    const auto events = audit_events(audit_file);
    std::vector<int> types;
    std::string from_client, to_client, direct;
    for (const auto& e : events) {
        if (e.channel != 0) continue;
        types.push_back(e.type);
        if (e.type == 303) direct = e.payload;
        if (e.type == 500) (contains(e.payload, "\"stream\":0") ? from_client : to_client) += e.payload;
    }
    BOOST_TEST_REQUIRE(types.size() >= 4u);
    BOOST_TEST(types[0] == 300);
    BOOST_TEST(types[1] == 303);
    BOOST_TEST(types[2] == 301);
    BOOST_TEST(types.back() == 497);
    // "ping forwarded\n" in base64, once each way.
    BOOST_TEST(direct == R"({"HostToConnect":"127.0.0.1","PortToConnect":)" + std::to_string(echo.port()) +
                             R"(,"OriginatorHost":"127.0.0.1","OriginatorPort":65535})");
    BOOST_TEST(contains(from_client, "cGluZyBmb3J3YXJkZWQK"), from_client);
    BOOST_TEST(contains(to_client, "cGluZyBmb3J3YXJkZWQK"), to_client);
    std::filesystem::remove(audit_file);
}

BOOST_AUTO_TEST_CASE(metrics_count_forwarded_channels_failures_and_bytes) {
    EchoServer echo;
    Gateway gateway(with_forwarding(kEnable) + "metrics:\n  enable: true\n  listen: \"127.0.0.1:0\"\n");
    const std::string url = "http://" + json_field(gateway.wait_for("METRICS_AVAILABLE"), "address") + "/metrics";
    const std::string data = random_bytes(100000);
    BOOST_TEST((ssh(gateway, kLogin, {"-W", "127.0.0.1:" + std::to_string(echo.port())}, {}, data).out == data));
    BOOST_TEST(ssh(gateway, kLogin, {"-W", "127.0.0.1:" + std::to_string(closed_port())}, {}).exit_code == 255);
    BOOST_REQUIRE(eventually([&] { return gateway.count("SSH_DISCONNECTED") == 2u; }, std::chrono::seconds(10)));
    const auto r = curl({url});
    BOOST_REQUIRE_EQUAL(r.status, 200);
    const std::string type = "type=\"direct-tcpip\"";
    BOOST_TEST(sample(r.body, "containerssh_ssh_forward_channels_total{" + type + "}") == 1.0, r.body);
    BOOST_TEST(sample(r.body, "containerssh_ssh_forward_failures_total{" + type + "}") == 1.0);
    BOOST_TEST(sample(r.body, "containerssh_ssh_forward_channels{" + type + "}") == 0.0);
    BOOST_TEST(sample(r.body, "containerssh_ssh_forward_bytes_total{" + type + ",direction=\"in\"}") == 100000.0);
    BOOST_TEST(sample(r.body, "containerssh_ssh_forward_bytes_total{" + type + ",direction=\"out\"}") == 100000.0);
}

BOOST_AUTO_TEST_CASE(a_disconnect_with_open_forwards_leaves_no_descriptors) {
    EchoServer echo;
    Gateway gateway(with_forwarding(kEnable));
    // One connection first, so what the gateway opens once (plugins, logs) is counted.
    BOOST_TEST(ssh(gateway, kLogin, {"-W", "127.0.0.1:" + std::to_string(echo.port())}, {}, "warm\n").out == "warm\n");
    gateway.wait_for("SSH_DISCONNECTED");
    const size_t before = open_fds(gateway.pid());
    {
        LocalForward forward(gateway, kLogin, "127.0.0.1:" + std::to_string(echo.port()));
        BOOST_REQUIRE(forward.ready);
        std::vector<int> held;
        for (int i = 0; i < 4; ++i) {
            const int fd = connect_loopback(forward.local_port);
            BOOST_REQUIRE(fd >= 0);
            BOOST_REQUIRE(::send(fd, "x", 1, MSG_NOSIGNAL) == 1);
            char c = 0;
            BOOST_REQUIRE(::recv(fd, &c, 1, 0) == 1);  // the forward is open end to end
            held.push_back(fd);
        }
        BOOST_TEST(open_fds(gateway.pid()) > before);
        const size_t disconnects = gateway.count("SSH_DISCONNECTED");
        forward.client.stop(SIGKILL, std::chrono::seconds(5));
        BOOST_TEST(eventually([&] { return gateway.count("SSH_DISCONNECTED") > disconnects; }, std::chrono::seconds(10)));
        for (const int fd : held) ::close(fd);
    }
    BOOST_TEST(eventually([&] { return open_fds(gateway.pid()) <= before; }, std::chrono::seconds(10)),
               "before " << before << ", now " << open_fds(gateway.pid()));
}

// The open is still waiting for the backend's connect when the client goes
// (a listener whose backlog is full drops the SYN, so the connect hangs):
// the connection ends at once, and the gateway still stops cleanly (the
// harness checks its exit and, under the sanitizers, its stderr).
BOOST_AUTO_TEST_CASE(a_client_that_leaves_while_the_backend_connects_is_let_go) {
    int port = 0;
    const int stuck = listen_loopback(port);
    BOOST_REQUIRE(::listen(stuck, 0) == 0);
    std::vector<int> queued;
    for (int i = 0; i < 4; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(static_cast<uint16_t>(port));
        ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
        queued.push_back(fd);
    }
    {
        Gateway gateway(with_forwarding(kEnable));
        const auto r = ssh(gateway, kLogin, {"-W", "127.0.0.1:" + std::to_string(port)}, {}, "",
                           std::chrono::seconds(3));
        BOOST_TEST(r.timed_out, describe(r));
        BOOST_TEST(!gateway.wait_for("SSH_DISCONNECTED").empty());
        BOOST_TEST(gateway.count("SSH_FORWARD_OPENED") == 0u);
    }
    for (const int fd : queued) ::close(fd);
    ::close(stuck);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(forwarding_refused)

// Without the key, with disable and with filter: refused before the backend
// is asked, with the SECURITY_* code.
BOOST_AUTO_TEST_CASE(default_disable_and_filter_refuse_as_administratively_prohibited) {
    EchoServer echo;
    for (const std::string mode : {"", "disable", "filter"}) {
        BOOST_TEST_CONTEXT("forwardingMode " << (mode.empty() ? "(absent)" : mode)) {
            const std::string security =
                mode.empty() ? "" : "security:\n  forwarding:\n    forwardingMode: " + mode + "\n";
            Gateway gateway(with_forwarding(security));
            const auto r = ssh(gateway, kLogin,
                               {"-o", "LogLevel=INFO", "-W", "127.0.0.1:" + std::to_string(echo.port())}, {});
            BOOST_TEST(r.exit_code == 255, describe(r));
            BOOST_TEST(contains(r.err, "open failed"), describe(r));
            BOOST_TEST(contains(r.err, "administratively prohibited"), describe(r));
            const auto line = gateway.wait_for("SECURITY_FORWARDING_REJECTED");
            BOOST_TEST(contains(json_field(line, "reason"), "mode " + (mode.empty() ? std::string("disable") : mode)),
                       line);
            BOOST_TEST(json_field(line, "channelType") == "direct-tcpip");
            BOOST_TEST(gateway.count("SSH_FORWARD_OPENED") == 0u);
        }
    }
    BOOST_TEST(echo.accepted() == 0);
}

BOOST_AUTO_TEST_SUITE_END()

// Remote forwarding (tcpip-forward: ssh -R): the test backend listens on this
// host and each connection it accepts comes back to the client as a
// forwarded-tcpip channel, which the client connects to its echo server.
BOOST_AUTO_TEST_SUITE(remote_forwarding)

namespace {
const std::string kEnableRemote = "security:\n  forwarding:\n    reverseForwardingMode: enable\n";

std::string remote_spec(int remote_port, int target_port) {
    return "127.0.0.1:" + std::to_string(remote_port) + ":127.0.0.1:" + std::to_string(target_port);
}
}  // namespace

BOOST_AUTO_TEST_CASE(ssh_R_with_a_fixed_port_carries_four_concurrent_connections_both_ways) {
    EchoServer echo;
    Gateway gateway(with_forwarding(kEnableRemote));
    RemoteForward forward(gateway, kLogin, closed_port(), echo.port());
    BOOST_REQUIRE_MESSAGE(forward.ready, forward.stderr_text());
    round_trips_at_once(forward.port, 4, 1u << 20);
    const auto line = gateway.wait_for("SSH_REVERSE_FORWARD_LISTENING");
    BOOST_TEST(json_field(line, "bindPort") == std::to_string(forward.port));
    BOOST_TEST(json_field(line, "bindHost") == "127.0.0.1");
    // The readiness probes count too.
    BOOST_TEST(gateway.count("SSH_REVERSE_FORWARD_OPENED") >= 4u);
    BOOST_TEST(echo.accepted() >= 4);
}

BOOST_AUTO_TEST_CASE(ssh_R_0_is_told_the_allocated_port_and_forwards_through_it) {
    EchoServer echo;
    Gateway gateway(with_forwarding(kEnableRemote));
    RemoteForward forward(gateway, kLogin, 0, echo.port());
    BOOST_REQUIRE_MESSAGE(forward.ready, forward.stderr_text());
    BOOST_TEST(forward.port > 0);
    BOOST_TEST(round_trip(forward.port, "through port zero\n") == "through port zero\n");
    BOOST_TEST(json_field(gateway.wait_for("SSH_REVERSE_FORWARD_LISTENING"), "bindPort") ==
               std::to_string(forward.port));
}

// Each -R 0 is a forward of its own, with its own port.
BOOST_AUTO_TEST_CASE(two_ssh_R_0_forwards_get_two_ports) {
    EchoServer echo;
    Gateway gateway(with_forwarding(kEnableRemote));
    // Two specs (OpenSSH drops a repeated one): the second names its target differently.
    RemoteForward forward(gateway, kLogin, 0, echo.port(), {"-R", "127.0.0.1:0:localhost:" + std::to_string(echo.port())});
    BOOST_REQUIRE_MESSAGE(forward.ready, forward.stderr_text());
    BOOST_REQUIRE(eventually([&] { return gateway.count("SSH_REVERSE_FORWARD_LISTENING") == 2u; },
                             std::chrono::seconds(10)));
    const std::string err = forward.stderr_text();
    std::vector<int> ports;
    const std::regex allocated("Allocated port ([0-9]+) for remote forward");
    for (auto it = std::sregex_iterator(err.begin(), err.end(), allocated); it != std::sregex_iterator(); ++it) {
        ports.push_back(std::stoi((*it)[1]));
    }
    BOOST_REQUIRE_MESSAGE(ports.size() == 2u, err);
    BOOST_TEST(ports[0] != ports[1]);
    for (const int port : ports) BOOST_TEST(round_trip(port, "either\n") == "either\n", "port " << port);
}

BOOST_AUTO_TEST_CASE(a_taken_port_fails_the_forward_and_ExitOnForwardFailure_ends_the_client) {
    int taken = 0;
    const int holder = listen_loopback(taken);
    Gateway gateway(with_forwarding(kEnableRemote));
    const auto r = ssh(gateway, kLogin,
                       {"-N", "-o", "ExitOnForwardFailure=yes", "-R", remote_spec(taken, closed_port())}, {});
    BOOST_TEST(r.exit_code == 255, describe(r));
    BOOST_TEST(contains(r.err, "remote port forwarding failed"), describe(r));
    const auto line = gateway.wait_for("SSH_REVERSE_FORWARD_FAILED");
    BOOST_TEST(contains(json_field(line, "reason"), "Address already in use"), line);
    ::close(holder);
}

BOOST_AUTO_TEST_CASE(ssh_O_cancel_through_a_control_master_stops_the_listener) {
    EchoServer echo;
    const std::string audit_file = (std::filesystem::temp_directory_path() / ("rfwd-cancel-" + random_hex(8))).string();
    Gateway gateway(with_forwarding(kEnableRemote) + audit_recorder(audit_file));
    TempDir dir;
    const std::string control = (dir.path() / "cm").string();
    const int port = closed_port();
    RemoteForward forward(gateway, kLogin, port, echo.port(), {"-M", "-S", control});
    BOOST_REQUIRE_MESSAGE(forward.ready, forward.stderr_text());
    BOOST_TEST(round_trip(port, "before cancel\n") == "before cancel\n");
    const auto r = run(ssh_command(gateway, kLogin, {"-S", control, "-O", "cancel", "-R", remote_spec(port, echo.port())}, {}));
    BOOST_TEST(r.exit_code == 0, describe(r));
    BOOST_TEST(eventually([&] { return !accepts(port); }, std::chrono::seconds(10)), "the port still accepts");
    BOOST_TEST(json_field(gateway.wait_for("SSH_REVERSE_FORWARD_CANCELLED"), "bindPort") == std::to_string(port));
    BOOST_TEST(!forward.client.exited().has_value(), "the master ended with the cancel");
    BOOST_TEST(eventually(
        [&] {
            for (const auto& e : audit_events(audit_file)) {
                if (e.type == 203) return e.payload == R"({"BindHost":"127.0.0.1","BindPort":)" + std::to_string(port) + "}";
            }
            return false;
        },
        std::chrono::seconds(10)));
    forward.client.stop(SIGKILL, std::chrono::seconds(5));
    gateway.wait_for("SSH_DISCONNECTED");
    std::filesystem::remove(audit_file);
}

// The client's own connect fails, so it refuses the forwarded-tcpip channel:
// the connection the backend accepted is closed, and the refusal recorded.
BOOST_AUTO_TEST_CASE(a_channel_the_client_refuses_closes_the_accepted_connection) {
    Gateway gateway(with_forwarding(kEnableRemote));
    RemoteForward forward(gateway, kLogin, closed_port(), closed_port());
    BOOST_REQUIRE_MESSAGE(forward.ready, forward.stderr_text());
    const int fd = connect_loopback(forward.port);
    BOOST_REQUIRE(fd >= 0);
    timeval wait{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    char c = 0;
    BOOST_TEST(::recv(fd, &c, 1, 0) == 0, "the accepted connection was not closed");
    ::close(fd);
    const auto line = gateway.wait_for("SSH_REVERSE_FORWARD_REFUSED");
    BOOST_TEST(json_field(line, "listener") == "127.0.0.1:" + std::to_string(forward.port));
    BOOST_TEST(gateway.count("SSH_REVERSE_FORWARD_OPENED") == 0u);
}

BOOST_AUTO_TEST_CASE(security_maxForwardListeners_refuses_the_listener_beyond_it) {
    Gateway gateway(with_forwarding("security:\n  maxForwardListeners: 2\n  forwarding:\n    reverseForwardingMode: enable\n"));
    const int target = closed_port();
    std::vector<std::string> options{"-N", "-o", "ExitOnForwardFailure=yes"};
    for (int i = 0; i < 3; ++i) options.insert(options.end(), {"-R", remote_spec(closed_port(), target)});
    const auto r = ssh(gateway, kLogin, options, {});
    BOOST_TEST(r.exit_code == 255, describe(r));
    BOOST_TEST(contains(r.err, "remote port forwarding failed"), describe(r));
    const auto line = gateway.wait_for("SECURITY_MAX_FORWARD_LISTENERS");
    BOOST_TEST(contains(json_field(line, "reason"), "(2)"), line);
    BOOST_TEST(gateway.count("SSH_REVERSE_FORWARD_LISTENING") == 2u);
}

BOOST_AUTO_TEST_CASE(audit_records_the_request_and_each_forwarded_channel) {
    EchoServer echo;
    const std::string audit_file = (std::filesystem::temp_directory_path() / ("rfwd-audit-" + random_hex(8))).string();
    Gateway gateway(with_forwarding(kEnableRemote) + audit_recorder(audit_file));
    const int port = closed_port();
    {
        RemoteForward forward(gateway, kLogin, port, echo.port());
        BOOST_REQUIRE_MESSAGE(forward.ready, forward.stderr_text());
        BOOST_TEST(round_trip(port, "audited\n") == "audited\n");
        forward.client.stop(SIGTERM, std::chrono::seconds(5));
    }
    gateway.wait_for("SSH_DISCONNECTED");
    BOOST_REQUIRE(eventually([&] { return contains(read_file(audit_file), "\"type\":1,"); }, std::chrono::seconds(10)));
    std::string request;
    std::map<int64_t, std::vector<int>> channels;
    std::string forwarded;
    for (const auto& e : audit_events(audit_file)) {
        if (e.type == 202) request = e.payload;
        if (e.type == 304) forwarded = e.payload;
        if (e.type == 304 || e.type == 301 || e.type == 302) channels[e.channel].push_back(e.type);
    }
    BOOST_TEST(request == R"({"BindHost":"127.0.0.1","BindPort":)" + std::to_string(port) + "}");
    BOOST_TEST(contains(forwarded, R"({"ConnectedHost":"127.0.0.1","ConnectedPort":)" + std::to_string(port) +
                                       R"(,"OriginatorHost":"127.0.0.1","OriginatorPort":)"),
               forwarded);
    BOOST_TEST_REQUIRE(!channels.empty());
    for (const auto& [channel, types] : channels) {
        BOOST_TEST((types == std::vector<int>{304, 301}), "channel " << channel);
    }
    std::filesystem::remove(audit_file);
}

BOOST_AUTO_TEST_CASE(metrics_count_listeners_and_forwarded_channels) {
    EchoServer echo;
    Gateway gateway(with_forwarding(kEnableRemote) + "metrics:\n  enable: true\n  listen: \"127.0.0.1:0\"\n");
    const std::string url = "http://" + json_field(gateway.wait_for("METRICS_AVAILABLE"), "address") + "/metrics";
    {
        RemoteForward forward(gateway, kLogin, 0, echo.port());
        BOOST_REQUIRE_MESSAGE(forward.ready, forward.stderr_text());
        BOOST_TEST(round_trip(forward.port, "counted\n") == "counted\n");
        const auto r = curl({url});
        BOOST_TEST(sample(r.body, "containerssh_ssh_forward_listeners{type=\"tcpip-forward\"}") == 1.0, r.body);
        BOOST_TEST(sample(r.body, "containerssh_ssh_forward_channels_total{type=\"forwarded-tcpip\"}") >= 1.0);
    }
    BOOST_REQUIRE(eventually([&] { return gateway.count("SSH_DISCONNECTED") == 1u; }, std::chrono::seconds(10)));
    const auto r = curl({url});
    BOOST_TEST(sample(r.body, "containerssh_ssh_forward_listeners{type=\"tcpip-forward\"}") == 0.0, r.body);
    BOOST_TEST(sample(r.body, "containerssh_ssh_forward_channels{type=\"forwarded-tcpip\"}") == 0.0);
}

BOOST_AUTO_TEST_CASE(a_disconnect_with_listeners_open_closes_them_and_leaves_no_descriptors) {
    EchoServer echo;
    Gateway gateway(with_forwarding(kEnableRemote));
    {
        // One connection first, so what the gateway opens once is counted.
        RemoteForward warm(gateway, kLogin, 0, echo.port());
        BOOST_REQUIRE(warm.ready);
        BOOST_TEST(round_trip(warm.port, "warm\n") == "warm\n");
        warm.client.stop(SIGKILL, std::chrono::seconds(5));
        gateway.wait_for("SSH_DISCONNECTED");
    }
    BOOST_REQUIRE(eventually([&] { return gateway.count("SSH_REVERSE_FORWARD_CANCELLED") == 1u; },
                             std::chrono::seconds(10)));
    const size_t before = open_fds(gateway.pid());
    const int second = closed_port();
    std::vector<int> ports{second};
    {
        RemoteForward first(gateway, kLogin, closed_port(), echo.port(), {"-R", remote_spec(second, echo.port())});
        BOOST_REQUIRE_MESSAGE(first.ready, first.stderr_text());
        BOOST_TEST(accepts(second));
        std::vector<int> held;
        for (int i = 0; i < 3; ++i) {
            const int fd = connect_loopback(first.port);
            BOOST_REQUIRE(fd >= 0);
            BOOST_REQUIRE(::send(fd, "x", 1, MSG_NOSIGNAL) == 1);
            char c = 0;
            BOOST_REQUIRE(::recv(fd, &c, 1, 0) == 1);  // open end to end
            held.push_back(fd);
        }
        BOOST_TEST(open_fds(gateway.pid()) > before);
        ports.push_back(first.port);
        const size_t disconnects = gateway.count("SSH_DISCONNECTED");
        first.client.stop(SIGKILL, std::chrono::seconds(5));
        BOOST_TEST(eventually([&] { return gateway.count("SSH_DISCONNECTED") > disconnects; }, std::chrono::seconds(10)));
        for (const int fd : held) ::close(fd);
    }
    for (const int port : ports) BOOST_TEST(!accepts(port), "port " << port << " still accepts");
    BOOST_TEST(eventually([&] { return open_fds(gateway.pid()) <= before; }, std::chrono::seconds(10)),
               "before " << before << ", now " << open_fds(gateway.pid()));
    BOOST_TEST(gateway.count("SSH_REVERSE_FORWARD_CANCELLED") == 3u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(remote_forwarding_refused)

BOOST_AUTO_TEST_CASE(default_disable_and_filter_refuse_the_listener) {
    for (const std::string mode : {"", "disable", "filter"}) {
        BOOST_TEST_CONTEXT("reverseForwardingMode " << (mode.empty() ? "(absent)" : mode)) {
            const std::string security =
                mode.empty() ? "" : "security:\n  forwarding:\n    reverseForwardingMode: " + mode + "\n";
            Gateway gateway(with_forwarding(security));
            const int port = closed_port();
            const auto r = ssh(gateway, kLogin,
                               {"-N", "-o", "ExitOnForwardFailure=yes", "-R",
                                "127.0.0.1:" + std::to_string(port) + ":127.0.0.1:" + std::to_string(closed_port())},
                               {});
            BOOST_TEST(r.exit_code == 255, describe(r));
            BOOST_TEST(contains(r.err, "remote port forwarding failed"), describe(r));
            const auto line = gateway.wait_for("SECURITY_REVERSE_FORWARDING_REJECTED");
            BOOST_TEST(contains(json_field(line, "reason"), "mode " + (mode.empty() ? std::string("disable") : mode)),
                       line);
            BOOST_TEST(json_field(line, "bindPort") == std::to_string(port));
            BOOST_TEST(gateway.count("SSH_REVERSE_FORWARD_LISTENING") == 0u);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
