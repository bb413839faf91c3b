// forward-server as a subprocess on pipes, driven as the gateway drives it
// (docs/design/forwarding.md §1.3), with the extensions of §5.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <random>
#include <string>

#include "forward_peer.hpp"
#include "forward_trace.hpp"
#include "temp_dir.hpp"

using namespace csh::agent::test;
namespace trace = csh::agent::forward::trace;

namespace {

fw::SetupPacket listen_setup(const std::string& host, std::uint64_t port, const std::string& protocol,
                             std::vector<std::string> extensions = {fw::kExtensionListenInfo}) {
    fw::SetupPacket setup;
    setup.connection_type = fw::kPortForward;
    setup.bind_host = host;
    setup.bind_port = port;
    setup.protocol = protocol;
    setup.has_extensions = true;
    setup.extensions = std::move(extensions);
    return setup;
}

fw::SetupReply expect_setup_reply(ForwardPeer& agent) {
    const fw::Packet packet = agent.expect();
    BOOST_REQUIRE_MESSAGE(packet.type == fw::kSuccess, "SETUP answered with type " << packet.type << "; stderr: "
                                                                                    << agent.stderr_text());
    BOOST_REQUIRE(!packet.payload_null);
    fw::SetupReply reply;
    BOOST_REQUIRE(fw::decode_setup_reply(packet.payload, reply) == fw::DecodeError::kNone);
    return reply;
}

void close_and_finish(ForwardPeer& agent, std::uint64_t id) {
    agent.send(fw::kCloseConnection, id);
    expect_packet(agent, fw::kSuccess, id);  // the ack
    agent.send(fw::kNoMoreConnections, 0);
    BOOST_TEST(agent.wait_exit() == 0);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(forward_server)

BOOST_AUTO_TEST_CASE(dials_tcp_and_moves_data_both_ways) {
    TestServer server(TestServer::Mode::kEcho);
    ForwardPeer agent;
    agent.send_setup(dial_setup());
    const fw::Packet setup_answer = agent.expect();
    BOOST_TEST(setup_answer.type == fw::kSuccess);
    BOOST_TEST(setup_answer.payload_null);  // no Extensions: the original's answer
    agent.send_new_connection(1, tcp_target("127.0.0.1", server.port()));
    expect_packet(agent, fw::kSuccess, 1);
    check_echo(agent, 1, 5);
    check_echo(agent, 1, 300000);
    close_and_finish(agent, 1);
}

BOOST_AUTO_TEST_CASE(dials_a_unix_socket) {
    csh::test::TempDir dir;
    TestServer server(TestServer::Mode::kEcho, dir.file("echo.sock"));
    ForwardPeer agent;
    agent.send_setup(dial_setup());
    expect_packet(agent, fw::kSuccess, 0);
    fw::NewConnectionPayload target;
    target.protocol = "unix";
    target.connected_address = dir.file("echo.sock");
    agent.send_new_connection(1, target);
    expect_packet(agent, fw::kSuccess, 1);
    check_echo(agent, 1, 100000);
    close_and_finish(agent, 1);
}

BOOST_AUTO_TEST_CASE(dials_localhost_and_a_name_from_the_hosts_file) {
    TestServer server(TestServer::Mode::kEcho);
    csh::test::TempDir dir;
    std::ofstream(dir.file("hosts")) << "# test hosts\n10.255.255.1 other.test\n127.0.0.1\techo.test  alias.test # comment\n";
    ForwardPeer agent({std::string("CONTAINERSSH_AGENT_TEST_HOSTS_FILE=") + dir.file("hosts")});
    agent.send_setup(dial_setup());
    expect_packet(agent, fw::kSuccess, 0);
    agent.send_new_connection(1, tcp_target("ALIAS.test", server.port()));
    expect_packet(agent, fw::kSuccess, 1);
    check_echo(agent, 1, 10);
    agent.send_new_connection(2, tcp_target("localhost", server.port()));
    agent.send(fw::kCloseConnection, 1);
    // Answers may interleave: collect both.
    int successes = 0;
    for (int i = 0; i < 2; ++i) {
        const fw::Packet packet = agent.expect();
        BOOST_TEST(packet.type == fw::kSuccess);
        successes += packet.type == fw::kSuccess ? 1 : 0;
    }
    BOOST_TEST(successes == 2);
    check_echo(agent, 2, 10);
    agent.send_new_connection(3, tcp_target("unknown.test", server.port()));
    expect_packet(agent, fw::kError, 3);
    BOOST_TEST(agent.stderr_text().find("unknown.test") != std::string::npos);
    close_and_finish(agent, 2);
}

BOOST_AUTO_TEST_CASE(data_sent_before_the_dial_completes_is_delivered) {
    // ContainerSSH's gateway does not wait for the dial's answer: DATA may
    // follow NEW_CONNECTION at once.
    TestServer server(TestServer::Mode::kEcho);
    ForwardPeer agent;
    agent.send_setup(dial_setup());
    expect_packet(agent, fw::kSuccess, 0);
    std::string bytes;
    fw::append_packet(bytes, fw::kNewConnection, 1, fw::encode_new_connection(tcp_target("127.0.0.1", server.port())));
    fw::append_packet(bytes, fw::kData, 1, "eager");
    agent.send_bytes(bytes);
    expect_packet(agent, fw::kSuccess, 1);
    BOOST_TEST(agent.read_data(1, 5) == "eager");
    close_and_finish(agent, 1);
}

BOOST_AUTO_TEST_CASE(no_more_connections_waits_for_open_ones_and_refuses_new_ones) {
    TestServer server(TestServer::Mode::kEcho);
    ForwardPeer agent;
    agent.send_setup(dial_setup());
    expect_packet(agent, fw::kSuccess, 0);
    agent.send_new_connection(1, tcp_target("127.0.0.1", server.port()));
    expect_packet(agent, fw::kSuccess, 1);
    agent.send(fw::kNoMoreConnections, 0);
    agent.send_new_connection(2, tcp_target("127.0.0.1", server.port()));
    expect_packet(agent, fw::kError, 2);
    check_echo(agent, 1, 1000);  // still served
    BOOST_TEST(agent.wait_exit(200ms) == -1);
    agent.send(fw::kCloseConnection, 1);
    expect_packet(agent, fw::kSuccess, 1);
    BOOST_TEST(agent.wait_exit() == 0);
}

BOOST_AUTO_TEST_CASE(a_refused_port_is_answered_with_error) {
    ForwardPeer agent;
    agent.send_setup(dial_setup());
    expect_packet(agent, fw::kSuccess, 0);
    agent.send_new_connection(1, tcp_target("127.0.0.1", refused_port()));
    expect_packet(agent, fw::kError, 1);
    fw::NewConnectionPayload missing;
    missing.protocol = "unix";
    missing.connected_address = "/nonexistent/agent-test.sock";
    agent.send_new_connection(2, missing);
    expect_packet(agent, fw::kError, 2);
    agent.send(fw::kNoMoreConnections, 0);
    BOOST_TEST(agent.wait_exit() == 0);
    BOOST_TEST(agent.stderr_text().find("refused") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(reused_ids_and_close_of_unknown_ids_get_error) {
    TestServer server(TestServer::Mode::kEcho);
    ForwardPeer agent;
    agent.send_setup(dial_setup());
    expect_packet(agent, fw::kSuccess, 0);
    agent.send(fw::kCloseConnection, 42);
    expect_packet(agent, fw::kError, 42);  // the original deadlocked here
    agent.send_new_connection(1, tcp_target("127.0.0.1", server.port()));
    expect_packet(agent, fw::kSuccess, 1);
    agent.send_new_connection(1, tcp_target("127.0.0.1", server.port()));
    expect_packet(agent, fw::kError, 1);
    check_echo(agent, 1, 10);  // the first connection is untouched
    close_and_finish(agent, 1);
}

BOOST_AUTO_TEST_CASE(listens_on_port_0_and_reports_the_bound_port) {
    ForwardPeer agent;
    agent.send_setup(listen_setup("127.0.0.1", 0, "tcp"));
    const fw::SetupReply reply = expect_setup_reply(agent);
    BOOST_TEST(reply.bind_port != 0u);
    BOOST_TEST(reply.pid == static_cast<std::uint64_t>(agent.pid()));
    BOOST_TEST(reply.extensions == std::vector<std::string>{fw::kExtensionListenInfo}, boost::test_tools::per_element());

    const int client = connect_tcp(static_cast<std::uint16_t>(reply.bind_port));
    const fw::Packet opened = agent.expect();
    BOOST_REQUIRE(opened.type == fw::kNewConnection);
    BOOST_TEST(opened.connection_id == 1u);
    fw::NewConnectionPayload payload;
    BOOST_REQUIRE(fw::decode_new_connection(opened.payload, payload) == fw::DecodeError::kNone);
    BOOST_TEST(payload.protocol == "tcp");
    BOOST_TEST(payload.connected_address == "127.0.0.1");
    BOOST_TEST(payload.connected_port == reply.bind_port);
    BOOST_TEST(payload.originator_address == "127.0.0.1");
    BOOST_TEST(payload.originator_port != 0u);

    write_all_or_fail(client, "early");  // not forwarded before SUCCESS
    BOOST_TEST(!agent.next(200ms).has_value());
    agent.send(fw::kSuccess, 1);
    BOOST_TEST(agent.read_data(1, 5) == "early");
    const std::string big = random_bytes(200000);
    write_all_or_fail(client, big);
    BOOST_TEST((agent.read_data(1, big.size()) == big));
    agent.send(fw::kData, 1, "to the client");
    BOOST_TEST(read_exactly(client, 13) == "to the client");

    ::close(client);  // the client's EOF closes the connection (no csh.eof)
    expect_packet(agent, fw::kCloseConnection, 1);
    agent.send(fw::kSuccess, 1);  // the ack
    agent.send(fw::kNoMoreConnections, 0);
    BOOST_TEST(agent.wait_exit() == 0);
}

BOOST_AUTO_TEST_CASE(a_refused_accepted_connection_is_closed) {
    ForwardPeer agent;
    agent.send_setup(listen_setup("127.0.0.1", 0, "tcp"));
    const fw::SetupReply reply = expect_setup_reply(agent);
    const int client = connect_tcp(static_cast<std::uint16_t>(reply.bind_port));
    expect_packet(agent, fw::kNewConnection, 1);
    agent.send(fw::kError, 1);
    BOOST_TEST(read_exactly(client, 1) == "");  // EOF
    ::close(client);
    agent.send(fw::kNoMoreConnections, 0);
    BOOST_TEST(agent.wait_exit() == 0);
}

BOOST_AUTO_TEST_CASE(without_extensions_setup_success_has_no_payload) {
    ForwardPeer agent;
    fw::SetupPacket setup = listen_setup("127.0.0.1", 0, "tcp");
    setup.has_extensions = false;
    setup.extensions.clear();
    agent.send_setup(setup);
    const fw::Packet answer = agent.expect();
    BOOST_TEST(answer.type == fw::kSuccess);
    BOOST_TEST(answer.payload_null);
    agent.send(fw::kNoMoreConnections, 0);
    BOOST_TEST(agent.wait_exit() == 0);
}

BOOST_AUTO_TEST_CASE(a_bind_failure_is_answered_with_error_and_exit_1) {
    TestServer taken(TestServer::Mode::kEcho);
    ForwardPeer agent;
    agent.send_setup(listen_setup("127.0.0.1", taken.port(), "tcp"));
    expect_packet(agent, fw::kError, 0);
    BOOST_TEST(agent.wait_exit() == 1);
    BOOST_TEST(agent.stderr_text().find("cannot bind") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unix_listener_is_private_and_unlinked_at_stdin_eof) {
    csh::test::TempDir dir;
    const std::string path = dir.file("listen.sock");
    ForwardPeer agent;
    agent.send_setup(listen_setup(path, 0, "unix"));
    (void)expect_setup_reply(agent);
    struct stat info {};
    BOOST_REQUIRE(::stat(path.c_str(), &info) == 0);
    BOOST_TEST(S_ISSOCK(info.st_mode));
    BOOST_TEST((info.st_mode & 0777) == 0600u);

    const int client = connect_unix(path);
    const fw::Packet opened = agent.expect();
    BOOST_REQUIRE(opened.type == fw::kNewConnection);
    fw::NewConnectionPayload payload;
    BOOST_REQUIRE(fw::decode_new_connection(opened.payload, payload) == fw::DecodeError::kNone);
    BOOST_TEST(payload.protocol == "unix");
    BOOST_TEST(payload.connected_address == path);
    agent.send(fw::kSuccess, opened.connection_id);
    write_all_or_fail(client, "hi");
    BOOST_TEST(agent.read_data(opened.connection_id, 2) == "hi");

    // The gateway vanishes with a connection open: the agent must not wait
    // for NO_MORE (defect 1, the #711 trap).
    const auto start = std::chrono::steady_clock::now();
    agent.close_stdin();
    BOOST_TEST(agent.wait_exit(1000ms) == 0);
    BOOST_TEST((std::chrono::steady_clock::now() - start < 1s));
    BOOST_TEST(::access(path.c_str(), F_OK) != 0);
    BOOST_TEST(read_exactly(client, 1) == "");  // the connection was closed too
    ::close(client);
}

BOOST_AUTO_TEST_CASE(sigterm_unlinks_the_unix_socket_then_ends_by_the_signal) {
    csh::test::TempDir dir;
    const std::string path = dir.file("term.sock");
    ForwardPeer agent;
    agent.send_setup(listen_setup(path, 0, "unix"));
    (void)expect_setup_reply(agent);
    BOOST_REQUIRE(::access(path.c_str(), F_OK) == 0);
    ::kill(agent.pid(), SIGTERM);
    BOOST_TEST(agent.wait_exit(1000ms) == -2 - SIGTERM);
    BOOST_TEST(::access(path.c_str(), F_OK) != 0);
}

BOOST_AUTO_TEST_CASE(stdin_eof_right_after_start_exits_0) {
    ForwardPeer agent;
    agent.close_stdin();
    BOOST_TEST(agent.wait_exit(1000ms) == 0);
    BOOST_TEST(agent.raw_output() == "");
}

BOOST_AUTO_TEST_CASE(undecodable_input_exits_1_with_a_reason) {
    ForwardPeer agent;
    agent.send_bytes(std::string("\xc0\x00", 2));  // a CBOR tag
    BOOST_TEST(agent.wait_exit() == 1);
    BOOST_TEST(agent.stderr_text().find("tags") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(random_packets_never_crash_the_agent) {
    // Well-formed packets in a random order with random ids and payloads,
    // some garbage after: the agent answers or ignores, and ends with 0 or 1.
    // (unit_agent_forward runs this against the sanitizer build.)
    TestServer server(TestServer::Mode::kEcho);
    const std::uint16_t refused = refused_port();
    std::mt19937 random(11);
    for (int round = 0; round < 40; ++round) {
        BOOST_TEST_CONTEXT("round " << round) {
            ForwardPeer agent;
            std::string input;
            fw::SetupPacket setup = round % 2 == 0 ? dial_setup(round % 4 == 0) : listen_setup("127.0.0.1", 0, "tcp");
            fw::append_packet(input, fw::kSetup, 0, fw::encode_setup(setup));
            for (int i = 0; i < 30; ++i) {
                const std::uint64_t type = random() % 10;
                const std::uint64_t id = random() % 4;
                std::string payload;
                if (type == fw::kNewConnection) {
                    payload = fw::encode_new_connection(tcp_target("127.0.0.1", random() % 2 ? server.port() : refused));
                } else if (type == fw::kWindowAdjust) {
                    payload = fw::encode_window(random() % 100000);
                } else if (random() % 3 == 0) {
                    payload = random_bytes(random() % 100);
                }
                fw::append_packet(input, type, id, payload);
            }
            if (round % 3 == 0) input += random_bytes(20);
            agent.send_bytes(input);
            agent.close_stdin();
            const int code = agent.wait_exit(5s);
            BOOST_TEST((code == 0 || code == 1), "exit " << code << "; stderr: " << agent.stderr_text());
        }
    }
}

BOOST_AUTO_TEST_CASE(eof_extension_half_closes) {
    TestServer server(TestServer::Mode::kEcho);
    ForwardPeer agent;
    fw::SetupPacket setup = dial_setup();
    setup.has_extensions = true;
    setup.extensions = {fw::kExtensionEof};
    agent.send_setup(setup);
    const fw::SetupReply reply = expect_setup_reply(agent);
    BOOST_TEST(reply.extensions == std::vector<std::string>{fw::kExtensionEof}, boost::test_tools::per_element());
    agent.send_new_connection(1, tcp_target("127.0.0.1", server.port()));
    expect_packet(agent, fw::kSuccess, 1);
    // Data then EOF: the echo server sees EOF after the data, echoes it and
    // closes; the agent passes data, then EOF, then closes the connection.
    agent.send(fw::kData, 1, "last words");
    agent.send(fw::kEof, 1);
    BOOST_TEST(agent.read_data(1, 10) == "last words");
    expect_packet(agent, fw::kEof, 1);
    expect_packet(agent, fw::kCloseConnection, 1);
    agent.send(fw::kSuccess, 1);
    agent.send(fw::kNoMoreConnections, 0);
    BOOST_TEST(agent.wait_exit() == 0);
}

BOOST_AUTO_TEST_CASE(window_credit_is_never_exceeded) {
    TestServer server(TestServer::Mode::kSource, {}, 1024 * 1024);
    ForwardPeer agent;
    agent.send_setup(dial_setup(true));
    const fw::SetupReply reply = expect_setup_reply(agent);
    BOOST_TEST(reply.extensions.size() == 3u);
    agent.send_new_connection(1, tcp_target("127.0.0.1", server.port()));
    expect_packet(agent, fw::kSuccess, 1);
    BOOST_TEST(agent.read_data(1, fw::kInitialWindow).size() == fw::kInitialWindow);
    BOOST_TEST(!agent.next(300ms).has_value());  // credit used up: nothing more
    agent.send(fw::kWindowAdjust, 1, fw::encode_window(100000));
    BOOST_TEST(agent.read_data(1, 100000).size() == 100000u);
    BOOST_TEST(!agent.next(300ms).has_value());

    // The other direction: 300000 bytes passed on to the echo server earn
    // credit back once 64 KiB went out.
    agent.send(fw::kData, 1, std::string(70000, 'g'));
    std::size_t data = 0;
    bool adjusted = false;
    agent.send(fw::kWindowAdjust, 1, fw::encode_window(1024 * 1024));
    while (!adjusted || data < 1024 * 1024 - fw::kInitialWindow - 100000 + 70000) {
        const auto packet = agent.next(5s);
        BOOST_REQUIRE(packet.has_value());
        if (packet->type == fw::kWindowAdjust) {
            std::uint64_t credit = 0;
            BOOST_REQUIRE(fw::decode_window(packet->payload, credit) == fw::DecodeError::kNone);
            BOOST_TEST(credit >= 65536u);
            adjusted = true;
        } else {
            BOOST_REQUIRE(packet->type == fw::kData);
            data += packet->payload.size();
        }
    }
    close_and_finish(agent, 1);
}

BOOST_AUTO_TEST_CASE(without_window_a_socket_is_not_read_while_stdout_is_backed_up) {
    // The gateway stops reading stdout: the agent must stop reading the
    // socket (bounded memory) instead of taking everything the target sends.
    constexpr std::size_t kTotal = 24 * 1024 * 1024;
    TestServer server(TestServer::Mode::kSource, {}, kTotal);
    ForwardPeer agent;
    agent.send_setup(dial_setup());
    expect_packet(agent, fw::kSuccess, 0);
    agent.send_new_connection(1, tcp_target("127.0.0.1", server.port()));
    expect_packet(agent, fw::kSuccess, 1);
    std::this_thread::sleep_for(1s);
    BOOST_TEST_MESSAGE("the target could send " << server.sent() << " bytes");
    BOOST_TEST(server.sent() < kTotal);
    BOOST_TEST(agent.read_data(1, kTotal, 60s).size() == kTotal);
    close_and_finish(agent, 1);
}

BOOST_AUTO_TEST_CASE(packet_trace_of_a_port_dial_session) {
    // The §1.5 session: SETUP, one connection that sends "ping\n" and gets
    // "pong\n", the server closes. Everything the agent wrote, byte for byte.
    TestServer server(TestServer::Mode::kPingPong);
    ForwardPeer agent;
    agent.send_bytes(trace::from_hex(trace::kSetup));
    expect_packet(agent, fw::kSuccess, 0);
    agent.send_new_connection(1, tcp_target("127.0.0.1", server.port()));
    expect_packet(agent, fw::kSuccess, 1);
    agent.send_bytes(trace::from_hex(trace::kDataPing));
    BOOST_TEST(agent.read_data(1, 5) == "pong\n");
    expect_packet(agent, fw::kCloseConnection, 1);
    agent.send_bytes(trace::from_hex(trace::kCloseAck));
    agent.send_bytes(trace::from_hex(trace::kNoMore));
    BOOST_TEST(agent.wait_exit() == 0);
    const std::string expected = trace::from_hex(trace::kSetupSuccess) + trace::from_hex(trace::kConnectionSuccess) +
                                 trace::from_hex(trace::kDataPong) + trace::from_hex(trace::kClose);
    BOOST_TEST(trace::to_hex(agent.raw_output()) == trace::to_hex(expected));
}

BOOST_AUTO_TEST_SUITE_END()
