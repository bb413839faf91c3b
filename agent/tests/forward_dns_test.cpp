// forward-server's own DNS resolver (agent/src/forward/dns_lookup.hpp)
// against a scripted DNS server in the test process: the agent's resolv.conf
// and the servers' port come from test-only variables.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <thread>
#include <fstream>
#include <string>

#include "dns_test_server.hpp"
#include "forward_peer.hpp"
#include "temp_dir.hpp"

using namespace csh::agent::test;

namespace {

using Clock = std::chrono::steady_clock;

// The agent with its own resolv.conf for `dns` and an empty hosts file (only
// DNS answers), after a PORT_DIAL SETUP.
struct DnsAgent {
    DnsAgent(const TestDnsServer& dns, const std::string& resolv_conf) : agent(env(dns)) {
        std::ofstream(dir.file("resolv.conf")) << resolv_conf;
        std::ofstream(dir.file("hosts")) << "# empty\n";
        agent.send_setup(dial_setup());
        expect_packet(agent, fw::kSuccess, 0);
    }
    std::vector<std::string> env(const TestDnsServer& dns) const {
        return {"CONTAINERSSH_AGENT_TEST_RESOLV_CONF=" + dir.file("resolv.conf"),
                "CONTAINERSSH_AGENT_TEST_HOSTS_FILE=" + dir.file("hosts"),
                "CONTAINERSSH_AGENT_TEST_DNS_PORT=" + std::to_string(dns.port())};
    }
    csh::test::TempDir dir;
    ForwardPeer agent;
};

using Record = TestDnsServer::Record;

Record addresses(std::vector<std::string> a, std::vector<std::string> aaaa = {}) {
    Record record;
    record.a = std::move(a);
    record.aaaa = std::move(aaaa);
    return record;
}

Record alias(const std::string& target) {
    Record record;
    record.cname = target;
    return record;
}

// 127.0.0.1 and ::1, answered as `behaviour` says.
Record scripted(bool Record::*behaviour) {
    Record record = addresses({"127.0.0.1"}, {"::1"});
    record.*behaviour = true;
    return record;
}

// An echo server on 127.0.0.1 and a DNS server that knows it as echo.example.
struct EchoByName {
    EchoByName() { dns.add("echo.example", addresses({"127.0.0.1"})); }
    TestServer echo{TestServer::Mode::kEcho};
    TestDnsServer dns;
};

constexpr const char* kOneServer = "nameserver 127.0.0.1\n";
// One second, one try: a lookup without answers ends after a second.
constexpr const char* kImpatient = "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n";

// The agent's SUCCESS or ERROR for `id`, passing over other connections'
// packets.
fw::Packet answer_for(ForwardPeer& agent, std::uint64_t id, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        const fw::Packet packet = agent.expect(std::max(left, 1ms));
        if (packet.connection_id == id && (packet.type == fw::kSuccess || packet.type == fw::kError)) return packet;
    }
}

void expect_dial(ForwardPeer& agent, std::uint64_t id, std::uint64_t type) {
    const fw::Packet packet = answer_for(agent, id);
    BOOST_TEST(packet.type == type, "connection " << id << " answered " << packet.type << "; stderr: " << agent.stderr_text());
}

// [::1]:port (0: let the kernel choose when binding).
sockaddr_in6 ipv6_loopback(std::uint16_t port) {
    sockaddr_in6 address{};
    address.sin6_family = AF_INET6;
    address.sin6_addr = in6addr_loopback;
    address.sin6_port = htons(port);
    return address;
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

// echo.example (asked for as `host`) answered as `record` says: the dial
// must succeed and carry data. What the DNS server was asked.
std::vector<std::string> dial_echo_by_name(const Record& record, const std::string& host = "echo.example") {
    TestServer echo(TestServer::Mode::kEcho);
    TestDnsServer dns;
    dns.add("echo.example", record);
    DnsAgent dial(dns, kOneServer);
    dial.agent.send_new_connection(1, tcp_target(host, echo.port()));
    expect_dial(dial.agent, 1, fw::kSuccess);
    check_echo(dial.agent, 1, 100000);
    return dns.asked();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(forward_dns)

BOOST_AUTO_TEST_CASE(a_name_with_an_a_record_is_dialled_and_moves_data) {
    const auto asked = dial_echo_by_name(addresses({"127.0.0.1"}), "ECHO.example");
    BOOST_TEST(contains(asked, "udp A echo.example"));
    BOOST_TEST(contains(asked, "udp AAAA echo.example"));
}

BOOST_AUTO_TEST_CASE(an_aaaa_only_name_is_dialled_over_ipv6) {
    // A listening socket completes the handshake by itself.
    const int listener = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in6 address = ipv6_loopback(0);
    BOOST_REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
    BOOST_REQUIRE(::listen(listener, 1) == 0);
    socklen_t length = sizeof(address);
    ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
    TestDnsServer dns;
    dns.add("six.example", addresses({}, {"::1"}));
    DnsAgent dial(dns, kOneServer);
    dial.agent.send_new_connection(1, tcp_target("six.example", ntohs(address.sin6_port)));
    expect_dial(dial.agent, 1, fw::kSuccess);
    const int accepted = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    BOOST_REQUIRE(accepted >= 0);
    dial.agent.send(fw::kData, 1, "over six");
    BOOST_TEST(read_exactly(accepted, 8) == "over six");
    ::close(accepted);
    ::close(listener);
}

BOOST_AUTO_TEST_CASE(a_cname_chain_is_followed_within_the_answer) {
    TestServer echo(TestServer::Mode::kEcho);
    TestDnsServer dns;
    dns.add("alias.example", alias("middle.example"));
    dns.add("middle.example", alias("echo.example"));
    dns.add("echo.example", addresses({"127.0.0.1"}));
    DnsAgent dial(dns, kOneServer);
    dial.agent.send_new_connection(1, tcp_target("alias.example", echo.port()));
    expect_dial(dial.agent, 1, fw::kSuccess);
    check_echo(dial.agent, 1, 1000);
    // One question per type: the chain came in the one answer.
    BOOST_TEST(dns.asked().size() == 2u);
}

BOOST_AUTO_TEST_CASE(search_domains_come_first_below_ndots_and_an_absolute_name_is_asked_as_is) {
    TestServer echo(TestServer::Mode::kEcho);
    TestDnsServer dns;
    dns.add("svc.ns.other.test", addresses({"127.0.0.1"}));
    DnsAgent dial(dns, "search corp.test other.test\nnameserver 127.0.0.1\noptions ndots:2\n");
    dial.agent.send_new_connection(1, tcp_target("svc.ns", echo.port()));
    expect_dial(dial.agent, 1, fw::kSuccess);
    dial.agent.send_new_connection(2, tcp_target("svc.ns.other.test.", echo.port()));
    expect_dial(dial.agent, 2, fw::kSuccess);
    dial.agent.send_new_connection(3, tcp_target("nowhere", echo.port()));
    expect_dial(dial.agent, 3, fw::kError);
    // The A questions, in order: each is asked before its answer comes (an
    // AAAA question may still be on its way when the A's NXDOMAIN ends a name).
    std::vector<std::string> a_questions;
    for (const auto& question : dns.asked()) {
        if (question.rfind("udp A ", 0) == 0) a_questions.push_back(question.substr(6));
    }
    const std::vector<std::string> expected{
        "svc.ns.corp.test", "svc.ns.other.test",            // found before the name as is
        "svc.ns.other.test",                                 // the absolute name alone
        "nowhere.corp.test", "nowhere.other.test", "nowhere"  // last: the name as is
    };
    BOOST_TEST(a_questions == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(nxdomain_is_answered_with_error_naming_the_name) {
    TestDnsServer dns;
    DnsAgent dial(dns, kOneServer);
    dial.agent.send_new_connection(1, tcp_target("missing.example", 80));
    expect_dial(dial.agent, 1, fw::kError);
    const std::string err = dial.agent.stderr_text();
    BOOST_TEST(err.find("cannot resolve \"missing.example\": no such name (NXDOMAIN)") != std::string::npos, err);
    // Not a DNS name at all: refused without asking.
    dial.agent.send_new_connection(2, tcp_target("empty..label", 80));
    expect_dial(dial.agent, 2, fw::kError);
    BOOST_TEST(dial.agent.stderr_text().find("cannot resolve \"empty..label\": not a valid DNS name") != std::string::npos);
    for (const auto& question : dns.asked()) BOOST_TEST(question.find("empty") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_silent_server_times_out_while_another_dial_completes) {
    TestServer echo(TestServer::Mode::kEcho);
    TestDnsServer dns;
    dns.add("slow.example", scripted(&Record::silent));
    DnsAgent dial(dns, kImpatient);
    const auto start = Clock::now();
    dial.agent.send_new_connection(1, tcp_target("slow.example", echo.port()));
    dial.agent.send_new_connection(2, tcp_target("127.0.0.1", echo.port()));
    // The loop is not blocked by the lookup: the literal is dialled and
    // carries data while the name waits for its answer.
    expect_dial(dial.agent, 2, fw::kSuccess);
    check_echo(dial.agent, 2, 1000);
    BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count() < 800);
    expect_dial(dial.agent, 1, fw::kError);
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
    BOOST_TEST(elapsed >= 900);
    BOOST_TEST(elapsed < 3000);
    const std::string err = dial.agent.stderr_text();
    BOOST_TEST(err.find("cannot resolve \"slow.example\": no answer from the name servers") != std::string::npos, err);
}

BOOST_AUTO_TEST_CASE(a_refusing_server_is_skipped_for_the_next) {
    EchoByName net;
    auto& [echo, dns] = net;
    // Nothing listens on 127.0.0.3: the ICMP refusal moves on at once,
    // long before the 5 s timeout.
    DnsAgent dial(dns, "nameserver 127.0.0.3\nnameserver 127.0.0.1\n");
    const auto start = Clock::now();
    dial.agent.send_new_connection(1, tcp_target("echo.example", echo.port()));
    expect_dial(dial.agent, 1, fw::kSuccess);
    BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count() < 2000);
}

BOOST_AUTO_TEST_CASE(a_silent_ipv6_server_is_asked_then_the_next_after_the_timeout) {
    EchoByName net;
    auto& [echo, dns] = net;
    // [::1] on the servers' port: it takes the questions and never answers.
    const int silent = ::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    const sockaddr_in6 address = ipv6_loopback(dns.port());
    BOOST_REQUIRE(::bind(silent, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0);
    DnsAgent dial(dns, "nameserver ::1\nnameserver 127.0.0.1\noptions timeout:1\n");
    const auto start = Clock::now();
    dial.agent.send_new_connection(1, tcp_target("echo.example", echo.port()));
    expect_dial(dial.agent, 1, fw::kSuccess);
    BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count() >= 900);
    char question[512];
    BOOST_TEST(::recv(silent, question, sizeof(question), MSG_DONTWAIT) > 12);
    ::close(silent);
}

BOOST_AUTO_TEST_CASE(a_truncated_answer_is_asked_again_over_tcp) {
    // IPv4 first: the echo server is on 127.0.0.1, not on ::1.
    const auto asked = dial_echo_by_name(scripted(&Record::truncate_udp));
    BOOST_TEST((contains(asked, "tcp A echo.example") || contains(asked, "tcp AAAA echo.example")));
}

// Taken, the spoofed answer's 127.0.0.2 would be refused, and so would ::1.
BOOST_AUTO_TEST_CASE(an_answer_with_a_wrong_id_is_ignored) { dial_echo_by_name(scripted(&Record::spoof_id)); }

BOOST_AUTO_TEST_CASE(an_answer_from_another_port_is_ignored) { dial_echo_by_name(scripted(&Record::spoof_source)); }

BOOST_AUTO_TEST_CASE(malformed_answers_never_crash_the_agent) {
    EchoByName net;
    auto& [echo, dns] = net;
    for (int i = 0; i < 16; ++i) {
        dns.add("bad" + std::to_string(i) + ".example", scripted(&Record::garbage));
    }
    DnsAgent dial(dns, kImpatient);
    const std::uint16_t refused = refused_port();
    for (std::uint64_t id = 1; id <= 16; ++id) {
        dial.agent.send_new_connection(id, tcp_target("bad" + std::to_string(id - 1) + ".example", refused));
    }
    // After the lookups have had their answers and timed out, the agent
    // still serves.
    std::this_thread::sleep_for(1500ms);
    dial.agent.send_new_connection(100, tcp_target("echo.example", echo.port()));
    expect_dial(dial.agent, 100, fw::kSuccess);
    check_echo(dial.agent, 100, 1000);
    dial.agent.close_stdin();
    BOOST_TEST(dial.agent.wait_exit() == 0);
    const std::string err = dial.agent.stderr_text();
    BOOST_TEST(err.find("runtime error") == std::string::npos, err);
    BOOST_TEST(err.find("Sanitizer") == std::string::npos, err);
}

BOOST_AUTO_TEST_SUITE_END()
