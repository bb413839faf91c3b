// The PROXY protocol on the SSH listener (ssh.proxyProtocol*) with real
// peers: HAProxy in TCP mode in front of the gateway, once with
// send-proxy-v2 and once with send-proxy, and the OpenSSH client bound to
// 127.0.0.2 so the client's address differs from HAProxy's 127.0.0.1. The
// client's address must reach the auth webhook, the log lines, the audit
// connect event and SSH_CLIENT. Peers that break the rules are written by
// hand over TCP: a header from outside the trusted range, no header, a
// header that never ends, a malformed one.
#define BOOST_TEST_MODULE integration_proxy_protocol
#include <boost/test/unit_test.hpp>

#include "harness/configs.hpp"
#include "harness/gateway.hpp"
#include "harness/haproxy.hpp"
#include "harness/loopback.hpp"
#include "harness/probes.hpp"

#include <http_test_server.hpp>

#include <simdjson.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace csh::test;
using namespace std::chrono_literals;

namespace {

// Only 127.0.0.1 (where HAProxy and the hand-written proxies connect from)
// is trusted; 127.0.0.2 and 127.0.0.3 are clients.
const std::vector<std::string> kProxySettings = {"proxyProtocolAllowedCIDRs: [127.0.0.1/32]",
                                                 "proxyProtocolHeaderTimeout: 2s"};

std::string gateway_config(const std::string& webhook_url, const std::string& audit_file) {
    return webhook_password_auth(webhook_url) + local_backend() + audit_recorder(audit_file);
}

// HAProxy in TCP mode in front of `gateway`, sending `send_proxy`
// ("send-proxy-v2" or "send-proxy") and checking the SSH port itself every
// 500 ms: its checks carry a header too, which the suite looks for.
Haproxy in_front_of(const Gateway& gateway, const std::string& send_proxy) {
    HaproxyOptions options;
    options.send_proxy = send_proxy;
    return Haproxy({HaproxyServer{gateway.port(), 0}}, options);
}

void send_all(int fd, const std::string& data) {
    BOOST_REQUIRE(::send(fd, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size()));
}

// Sends `data` from `source` and expects the gateway to close the connection
// without a word (no SSH version line: refused before the key exchange).
void refused_silently(const char* source, int port, const std::string& data) {
    const int fd = connect_from(source, port);
    send_all(fd, data);
    std::string answer;
    BOOST_TEST(closed_within(fd, 10s, &answer));
    BOOST_TEST(answer.empty());
    ::close(fd);
}

// Lines of the gateway's log with `code`.
std::vector<std::string> lines_with(const Gateway& gateway, const std::string& code) {
    std::vector<std::string> found;
    for (const auto& line : gateway.lines()) {
        if (json_field(line, "code") == code) found.push_back(line);
    }
    return found;
}

std::string body_field(const std::string& json, const char* key) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    std::string_view value;
    if (parser.parse(json).get(root) != simdjson::SUCCESS) return "<not json>";
    return root[key].get_string().get(value) == simdjson::SUCCESS ? std::string(value) : "<absent>";
}

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

const std::string kV2Signature("\r\n\r\n\0\r\nQUIT\n", 12);

// A v2 PROXY TCP4 header for a client at `source`:`port` connected to 127.0.0.1:2222.
std::string v2_header(const char* source, uint16_t port) {
    std::string header = kV2Signature + "\x21\x11" + std::string("\x00\x0c", 2);
    unsigned char address[4];
    inet_pton(AF_INET, source, address);
    header.append(reinterpret_cast<const char*>(address), 4);
    inet_pton(AF_INET, "127.0.0.1", address);
    header.append(reinterpret_cast<const char*>(address), 4);
    header += static_cast<char>(port >> 8);
    header += static_cast<char>(port & 0xff);
    header += std::string("\x08\xae", 2);  // 2222
    return header;
}

struct ProxiedGateway {
    TempDir dir;
    HttpTestServer webhook;
    Gateway gateway{gateway_config(webhook.url(), dir.file("events.jsonl")), true, kProxySettings};
    ProxiedGateway() { webhook.respond("/password", {200, R"({"success": true})"}); }

    // A password login through `port` from 127.0.0.2, printing SSH_CLIENT.
    RunResult login_from_127_0_0_2(int port) {
        return ssh(gateway, {"alice", "pw", {}}, {"-b", "127.0.0.2", "-p", std::to_string(port)},
                   {"echo \"$SSH_CLIENT\""});
    }

    // Everything the client's address must reach, for a login from 127.0.0.2
    // whose header `description` names ("v2 PROXY TCP4").
    void check_client_address_everywhere(const RunResult& login, int front_port, const std::string& description) {
        BOOST_TEST_INFO(describe(login));
        BOOST_REQUIRE(login.exit_code == 0);
        // SSH_CLIENT: the client's address and port, and the port it connected to (HAProxy's).
        BOOST_TEST(starts_with(login.out, "127.0.0.2 "));
        BOOST_TEST(login.out.find(" " + std::to_string(front_port) + "\n") != std::string::npos);

        const auto requests = webhook.requests("/password");
        BOOST_REQUIRE(requests.size() == 1u);
        BOOST_TEST(starts_with(body_field(requests[0].body, "remoteAddress"), "127.0.0.2:"));

        // The accepted header, with the proxy's own address beside the
        // client's (HAProxy's health checks have lines of their own).
        std::vector<std::string> accepted;
        for (const auto& line : lines_with(gateway, "SSH_PROXY_PROTOCOL_ACCEPTED")) {
            if (json_field(line, "header") == description && json_field(line, "remoteAddr") == "127.0.0.2") {
                accepted.push_back(line);
            }
        }
        BOOST_REQUIRE_MESSAGE(accepted.size() == 1u, "SSH_PROXY_PROTOCOL_ACCEPTED lines from 127.0.0.2 with "
                                                         << description << ": " << accepted.size());
        BOOST_TEST(starts_with(json_field(accepted[0], "proxyAddress"), "127.0.0.1:"));

        // Every line of that connection carries the client's address.
        const std::string id = json_field(accepted[0], "connectionId");
        BOOST_REQUIRE(id.size() == 32u);
        std::size_t of_connection = 0;
        for (const auto& line : gateway.lines()) {
            if (json_field(line, "connectionId") != id) continue;
            ++of_connection;
            BOOST_TEST(json_field(line, "remoteAddr") == "127.0.0.2", line);
        }
        BOOST_TEST(of_connection >= 4u);  // connected, accepted, authenticated, ...

        // The audit connect event (type 0).
        bool connect_seen = false;
        const std::string events = read_file(dir.file("events.jsonl"));
        std::istringstream lines(events);
        for (std::string line; std::getline(lines, line);) {
            if (line.find("\"connectionId\":\"" + id + "\"") == std::string::npos) continue;
            if (line.find("\"type\":0,") == std::string::npos) continue;
            connect_seen = true;
            BOOST_TEST(line.find("\"remoteAddr\":\"127.0.0.2:") != std::string::npos, line);
        }
        BOOST_TEST(connect_seen);
    }

    // HAProxy's health checks come from the proxy's address: with a v2
    // LOCAL header (the gateway keeps the peer's address), or, in v1, with a
    // TCP4 line of the check's own addresses.
    void check_health_checks_come_from_the_proxy(const std::string& description) {
        const bool seen = eventually(
            [&] {
                for (const auto& line : lines_with(gateway, "SSH_PROXY_PROTOCOL_ACCEPTED")) {
                    if (json_field(line, "header") == description && json_field(line, "remoteAddr") == "127.0.0.1") {
                        return true;
                    }
                }
                return false;
            },
            10s);
        BOOST_TEST(seen, "no health check with a " << description << " header");
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(through_haproxy)

BOOST_FIXTURE_TEST_CASE(send_proxy_v2_gives_the_client_address_everywhere, ProxiedGateway) {
    Haproxy haproxy = in_front_of(gateway, "send-proxy-v2");
    check_client_address_everywhere(login_from_127_0_0_2(haproxy.port()), haproxy.port(), "v2 PROXY TCP4");
    check_health_checks_come_from_the_proxy("v2 LOCAL");
}

BOOST_FIXTURE_TEST_CASE(send_proxy_v1_gives_the_client_address_everywhere, ProxiedGateway) {
    Haproxy haproxy = in_front_of(gateway, "send-proxy");
    check_client_address_everywhere(login_from_127_0_0_2(haproxy.port()), haproxy.port(), "v1 TCP4");
    check_health_checks_come_from_the_proxy("v1 TCP4");
}

BOOST_FIXTURE_TEST_CASE(twenty_logins_through_haproxy_all_succeed, ProxiedGateway) {
    Haproxy haproxy = in_front_of(gateway, "send-proxy-v2");
    for (int i = 0; i < 20; ++i) {
        const auto login = login_from_127_0_0_2(haproxy.port());
        BOOST_TEST_INFO(describe(login));
        BOOST_TEST(login.exit_code == 0);
        BOOST_TEST(starts_with(login.out, "127.0.0.2 "));
    }
    BOOST_TEST(gateway.count("SSH_PROXY_PROTOCOL_INVALID") == 0u);
    BOOST_TEST(gateway.count("SSH_PROXY_PROTOCOL_TIMEOUT") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(refusals)

BOOST_FIXTURE_TEST_CASE(a_header_from_outside_the_trusted_range_is_refused, ProxiedGateway) {
    // 127.0.0.3 claims to relay 203.0.113.9: v1, then v2.
    for (const std::string& header :
         {std::string("PROXY TCP4 203.0.113.9 127.0.0.1 40000 2222\r\nSSH-2.0-Spoof\r\n"), v2_header("203.0.113.9", 40000)}) {
        const int fd = connect_from("127.0.0.3", gateway.port());
        send_all(fd, header);
        BOOST_TEST(closed_within(fd, 10s));
        ::close(fd);
    }
    BOOST_REQUIRE(eventually([&] { return gateway.count("SSH_PROXY_PROTOCOL_UNTRUSTED") == 2u; }, 10s));
    for (const auto& line : lines_with(gateway, "SSH_PROXY_PROTOCOL_UNTRUSTED")) {
        BOOST_TEST(json_field(line, "remoteAddr") == "127.0.0.3", line);
    }
    BOOST_TEST(webhook.requests("/password").empty());
    for (const auto& line : gateway.lines()) BOOST_TEST(line.find("203.0.113.9") == std::string::npos, line);
}

BOOST_FIXTURE_TEST_CASE(a_direct_client_outside_the_range_is_served_as_before, ProxiedGateway) {
    const auto login = ssh(gateway, {"alice", "pw", {}}, {"-b", "127.0.0.3"}, {"echo \"$SSH_CLIENT\""});
    BOOST_TEST_INFO(describe(login));
    BOOST_TEST(login.exit_code == 0);
    BOOST_TEST(starts_with(login.out, "127.0.0.3 "));
    const auto requests = webhook.requests("/password");
    BOOST_REQUIRE(requests.size() == 1u);
    BOOST_TEST(starts_with(body_field(requests[0].body, "remoteAddress"), "127.0.0.3:"));
    BOOST_TEST(gateway.count("SSH_PROXY_PROTOCOL_UNTRUSTED") == 0u);
}

BOOST_FIXTURE_TEST_CASE(a_trusted_peer_without_a_header_is_refused_when_one_is_required, ProxiedGateway) {
    const auto login = ssh(gateway, {"alice", "pw", {}}, {"-b", "127.0.0.1"}, {"true"});
    BOOST_TEST(login.exit_code == 255);
    const auto missing = gateway.wait_for("SSH_PROXY_PROTOCOL_MISSING");
    BOOST_REQUIRE(!missing.empty());
    BOOST_TEST(json_field(missing, "remoteAddr") == "127.0.0.1");
    BOOST_TEST(webhook.requests("/password").empty());
    refused_silently("127.0.0.1", gateway.port(), "SSH-2.0-Direct\r\n");
}

BOOST_FIXTURE_TEST_CASE(a_header_that_never_comes_times_out, ProxiedGateway) {
    // Half a header, then silence; and nothing at all.
    const int partial = connect_from("127.0.0.1", gateway.port());
    send_all(partial, "PROXY TCP4 198.51");
    const int silent = connect_from("127.0.0.1", gateway.port());
    const auto start = std::chrono::steady_clock::now();
    BOOST_TEST(closed_within(partial, 10s));
    BOOST_TEST(closed_within(silent, 10s));
    const auto waited_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    BOOST_TEST(waited_ms >= 1500);  // proxyProtocolHeaderTimeout: 2s
    ::close(partial);
    ::close(silent);
    BOOST_REQUIRE(eventually([&] { return gateway.count("SSH_PROXY_PROTOCOL_TIMEOUT") == 2u; }, 10s));
    std::vector<std::string> received;
    for (const auto& line : lines_with(gateway, "SSH_PROXY_PROTOCOL_TIMEOUT")) {
        BOOST_TEST(json_field(line, "remoteAddr") == "127.0.0.1");
        received.push_back(json_field(line, "received"));
    }
    std::sort(received.begin(), received.end());
    BOOST_TEST(received == (std::vector<std::string>{"0", "17"}), boost::test_tools::per_element());
}

// CPU seconds (user + system) the process has used, from /proc/PID/stat.
double cpu_seconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));  // after "pid (comm) "
    std::string field;
    double ticks = 0;
    for (int i = 3; fields >> field && i <= 15; ++i) {
        if (i >= 14) ticks += std::stod(field);  // utime, stime
    }
    return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// A header that arrives in pieces is waited for, and the wait costs nothing:
// the peeked bytes stay unread, and waiting for readability again at once
// would wake up at once, again and again (it once spun a loop thread at
// 100 % until the rest came). Then the rest completes it.
BOOST_FIXTURE_TEST_CASE(a_header_in_pieces_is_waited_for_without_spinning, ProxiedGateway) {
    const int fd = connect_from("127.0.0.1", gateway.port());
    send_all(fd, "PROXY TCP4 198.51.100.7 ");
    std::this_thread::sleep_for(200ms);
    const double before = cpu_seconds(gateway.pid());
    std::this_thread::sleep_for(1s);
    const double used = cpu_seconds(gateway.pid()) - before;
    BOOST_TEST(used < 0.3, "the gateway used " << used << " s of CPU in 1 s while the header was incomplete");
    send_all(fd, "127.0.0.1 40001 2222\r\nSSH-2.0-Piecewise\r\n");
    const auto line = gateway.wait_for("SSH_PROXY_PROTOCOL_ACCEPTED");
    BOOST_TEST_REQUIRE(!line.empty());
    BOOST_TEST(json_field(line, "remoteAddr") == "198.51.100.7");
    ::close(fd);
}

BOOST_FIXTURE_TEST_CASE(a_malformed_header_is_refused_saying_what_was_wrong, ProxiedGateway) {
    refused_silently("127.0.0.1", gateway.port(), "PROXY TCP4 198.51.100.7 127.0.0.1 99999 2222\r\nSSH-2.0-X\r\n");
    const auto line = gateway.wait_for("SSH_PROXY_PROTOCOL_INVALID");
    BOOST_REQUIRE(!line.empty());
    BOOST_TEST(json_field(line, "remoteAddr") == "127.0.0.1");
    BOOST_TEST(json_field(line, "reason").find("source port \"99999\"") != std::string::npos, line);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(semantics)

// The header and the client's version line in one segment: the gateway must
// take exactly the header and leave the version line to libssh.
BOOST_FIXTURE_TEST_CASE(the_ssh_stream_right_behind_the_header_is_left_to_libssh, ProxiedGateway) {
    const std::string relay =
        "import os, select, socket, sys\n"
        "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.connect(('127.0.0.1', int(sys.argv[1])))\n"
        "first = os.read(0, 65536)\n"
        "s.sendall(b'PROXY TCP4 198.51.100.7 127.0.0.1 40001 2222\\r\\n' + first)\n"
        "while True:\n"
        "    ready, _, _ = select.select([0, s], [], [])\n"
        "    if 0 in ready:\n"
        "        data = os.read(0, 65536)\n"
        "        if not data: s.shutdown(socket.SHUT_WR)\n"
        "        else: s.sendall(data)\n"
        "    if s in ready:\n"
        "        data = s.recv(65536)\n"
        "        if not data: break\n"
        "        os.write(1, data)\n";
    const auto script = dir.file("relay.py");
    std::ofstream(script) << relay;
    const auto login = ssh(gateway, {"alice", "pw", {}},
                           {"-o", "ProxyCommand=python3 " + script + " " + std::to_string(gateway.port())},
                           {"echo \"$SSH_CLIENT\""});
    BOOST_TEST_INFO(describe(login));
    BOOST_TEST(login.exit_code == 0);
    BOOST_TEST(login.out == "198.51.100.7 40001 2222\n");
    const auto requests = webhook.requests("/password");
    BOOST_REQUIRE(requests.size() == 1u);
    BOOST_TEST(body_field(requests[0].body, "remoteAddress") == "198.51.100.7:40001");
}

BOOST_AUTO_TEST_CASE(per_source_limits_count_the_client_from_the_header) {
    // One unauthenticated connection per source: two clients behind the same
    // proxy are two sources, one client twice is refused.
    TempDir dir;
    HttpTestServer webhook;
    auto settings = kProxySettings;
    settings.push_back("perSourceMaxStartups: 1");
    Gateway gateway(gateway_config(webhook.url(), dir.file("events.jsonl")), true, settings);
    const int first = connect_from("127.0.0.1", gateway.port());
    send_all(first, v2_header("198.51.100.7", 1000));
    const int other = connect_from("127.0.0.1", gateway.port());
    send_all(other, v2_header("198.51.100.8", 1000));
    BOOST_REQUIRE(eventually([&] { return gateway.count("SSH_PROXY_PROTOCOL_ACCEPTED") == 2u; }, 10s));
    const int again = connect_from("127.0.0.1", gateway.port());
    send_all(again, v2_header("198.51.100.7", 1001));
    BOOST_TEST(closed_within(again, 10s));
    const auto refused = gateway.wait_for("SSH_PER_SOURCE_MAX_STARTUPS");
    BOOST_REQUIRE(!refused.empty());
    BOOST_TEST(json_field(refused, "remoteAddr") == "198.51.100.7");
    BOOST_TEST(gateway.count("SSH_PER_SOURCE_MAX_STARTUPS") == 1u);
    for (int fd : {first, other, again}) ::close(fd);
}

BOOST_AUTO_TEST_CASE(a_trusted_peer_may_go_without_a_header_when_not_required) {
    TempDir dir;
    HttpTestServer webhook;
    webhook.respond("/password", {200, R"({"success": true})"});
    auto settings = kProxySettings;
    settings.push_back("proxyProtocolRequired: false");
    Gateway gateway(gateway_config(webhook.url(), dir.file("events.jsonl")), true, settings);
    const auto direct = ssh(gateway, {"alice", "pw", {}}, {"-b", "127.0.0.1"}, {"echo \"$SSH_CLIENT\""});
    BOOST_TEST_INFO(describe(direct));
    BOOST_TEST(direct.exit_code == 0);
    BOOST_TEST(starts_with(direct.out, "127.0.0.1 "));
    // And a header is still taken from it.
    Haproxy haproxy = in_front_of(gateway, "send-proxy-v2");
    const auto proxied = ssh(gateway, {"alice", "pw", {}}, {"-b", "127.0.0.2", "-p", std::to_string(haproxy.port())},
                             {"echo \"$SSH_CLIENT\""});
    BOOST_TEST_INFO(describe(proxied));
    BOOST_TEST(proxied.exit_code == 0);
    BOOST_TEST(starts_with(proxied.out, "127.0.0.2 "));
    BOOST_TEST(gateway.count("SSH_PROXY_PROTOCOL_MISSING") == 0u);
}

BOOST_AUTO_TEST_CASE(off_by_default_a_header_is_just_a_bad_version_line) {
    TempDir dir;
    HttpTestServer webhook;
    Gateway gateway(gateway_config(webhook.url(), dir.file("events.jsonl")));
    const int fd = connect_from("127.0.0.3", gateway.port());
    send_all(fd, "PROXY TCP4 203.0.113.9 127.0.0.1 40000 2222\r\n");
    BOOST_TEST(closed_within(fd, 10s));
    ::close(fd);
    BOOST_TEST(!gateway.wait_for("SSH_HANDSHAKE_FAILED").empty());
    BOOST_TEST(gateway.count("SSH_PROXY_PROTOCOL_UNTRUSTED") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
