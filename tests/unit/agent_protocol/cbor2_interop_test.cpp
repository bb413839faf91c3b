// Interop with an independent CBOR implementation: Debian's python3-cbor2
// (cbor2_peer.py). Python decodes what we write and must re-encode the same
// bytes (so our key order and integer forms are the plain ones), and writes
// maps in other key orders, with extra keys and other letter cases, that we
// must read.
#include <boost/test/unit_test.hpp>

#include <csh/agent/forward_codec.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "forward_trace.hpp"
#include "process.hpp"

using namespace csh::agent::forward;
using trace::from_hex;
using trace::to_hex;

namespace {

csh::test::RunResult run_peer(const std::string& mode, const std::string& input = "") {
    return csh::test::run({CSH_DEBIAN_PYTHON3, CSH_CBOR2_PEER, mode}, input);
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cbor2_interop)

BOOST_AUTO_TEST_CASE(cbor2_reads_what_we_write_and_writes_it_back_identically) {
    SetupPacket setup;
    setup.connection_type = kPortForward;
    setup.bind_host = "0.0.0.0";
    setup.bind_port = 0;
    setup.protocol = "tcp";
    setup.has_extensions = true;
    setup.extensions = {kExtensionEof, kExtensionListenInfo};
    NewConnectionPayload connection;
    connection.protocol = "tcp";
    connection.connected_address = "0.0.0.0";
    connection.originator_address = "127.0.0.1";
    connection.originator_port = 40000;
    std::string input;
    auto add = [&](std::uint64_t type, std::uint64_t id, const std::string& payload) {
        std::string packet;
        append_packet(packet, type, id, payload);
        input += to_hex(packet) + "\n";
    };
    add(kSetup, 0, encode_setup(setup));
    add(kNewConnection, 4294967296u, encode_new_connection(connection));
    add(kData, 3, std::string("\x00\x01\xff", 3));
    add(kSuccess, 0, encode_setup_reply(SetupReply{{kExtensionEof}, 1234, 0, 99}));
    add(kCloseConnection, 65536, "");
    const auto result = run_peer("decode", input);
    BOOST_TEST_INFO(result.err);
    BOOST_REQUIRE_EQUAL(result.exit_code, 0);
    const auto lines = lines_of(result.out);
    BOOST_REQUIRE_EQUAL(lines.size(), 5u);
    BOOST_TEST(lines[0] ==
               R"({"ConnectionId": 0, "Payload": {"AuthCookie": "", "AuthProtocol": "", "BindHost": "0.0.0.0", )"
               R"("BindPort": 0, "ConnectionType": 1, "Extensions": ["csh.eof", "csh.listen-info"], "Protocol": "tcp", )"
               R"("Screen": "", "SingleConnection": false}, "Type": 0})");
    BOOST_TEST(lines[1] ==
               R"({"ConnectionId": 4294967296, "Payload": {"ConnectedAddress": "0.0.0.0", "ConnectedPort": 0, )"
               R"("OriginatorAddress": "127.0.0.1", "OriginatorPort": 40000, "Protocol": "tcp"}, "Type": 4})");
    BOOST_TEST(lines[2] == R"({"ConnectionId": 3, "Payload": "0001ff", "Type": 3})");
    BOOST_TEST(lines[3] == R"({"ConnectionId": 0, "Payload": "a46a457874656e73696f6e7381676373682e656f66684)"
                           R"(2696e64506f72741904d267446973706c617900635069641863", "Type": 1})");
    BOOST_TEST(lines[4] == R"({"ConnectionId": 65536, "Payload": null, "Type": 5})");
}

BOOST_AUTO_TEST_CASE(the_trace_passes_cbor2_unchanged) {
    std::string input;
    for (auto hex : {trace::kSetup, trace::kSetupSuccess, trace::kNewConnection, trace::kDataPing, trace::kClose}) {
        input += to_hex(from_hex(hex)) + "\n";
    }
    const auto result = run_peer("decode", input);
    BOOST_TEST_INFO(result.err);
    BOOST_TEST(result.exit_code == 0);
    BOOST_TEST(lines_of(result.out).size() == 5u);
}

BOOST_AUTO_TEST_CASE(we_read_what_cbor2_writes_in_other_orders_and_cases) {
    const auto result = run_peer("encode");
    BOOST_TEST_INFO(result.err);
    BOOST_REQUIRE_EQUAL(result.exit_code, 0);
    std::string stream;
    for (const auto& line : lines_of(result.out)) stream += from_hex(line);
    PacketDecoder decoder;
    decoder.feed(stream.data(), stream.size());
    std::vector<Packet> packets;
    Packet packet;
    while (decoder.next(packet) == PacketDecoder::Status::kPacket) packets.push_back(packet);
    BOOST_TEST_INFO(describe(decoder.error()));
    BOOST_REQUIRE_EQUAL(packets.size(), 5u);
    BOOST_TEST(decoder.buffered() == 0u);

    BOOST_TEST(packets[0].type == kSetup);
    SetupPacket setup;
    BOOST_REQUIRE(decode_setup(packets[0].payload, setup) == DecodeError::kNone);
    BOOST_TEST(setup.connection_type == kX11);
    BOOST_TEST(setup.bind_host == "127.0.0.1");
    BOOST_TEST(setup.bind_port == 6010u);
    BOOST_TEST(setup.protocol == "tcp");
    BOOST_TEST(setup.screen == "0");
    BOOST_TEST(setup.single_connection);
    BOOST_TEST(setup.auth_protocol == "MIT-MAGIC-COOKIE-1");
    BOOST_TEST(setup.auth_cookie == "c00k1e");
    BOOST_TEST(setup.has_extensions);
    BOOST_TEST(setup.extensions == (std::vector<std::string>{"csh.eof", "csh.listen-info"}), boost::test_tools::per_element());

    BOOST_TEST(packets[1].type == kNewConnection);
    BOOST_TEST(packets[1].connection_id == (std::uint64_t{1} << 40));
    NewConnectionPayload connection;
    BOOST_REQUIRE(decode_new_connection(packets[1].payload, connection) == DecodeError::kNone);
    BOOST_TEST(connection.protocol == "unix");
    BOOST_TEST(connection.connected_address == "/run/app.sock");
    BOOST_TEST(connection.connected_port == 70000u);
    BOOST_TEST(connection.originator_address == "10.0.0.1");
    BOOST_TEST(connection.originator_port == 54321u);

    BOOST_TEST(packets[2].type == kData);
    BOOST_TEST(packets[2].connection_id == 7u);
    BOOST_TEST(packets[2].payload.size() == 60000u);
    BOOST_TEST(packets[2].payload.substr(0, 6) == std::string("\x00\xff" "data", 6));

    BOOST_TEST(packets[3].type == kCloseConnection);
    BOOST_TEST(packets[3].connection_id == 3u);
    BOOST_TEST(packets[3].payload_null);

    BOOST_TEST(packets[4].type == kNoMoreConnections);
    BOOST_TEST(packets[4].payload_null);
}

BOOST_AUTO_TEST_SUITE_END()
