#define BOOST_TEST_MODULE unit_agent_forward_codec
#include <boost/test/unit_test.hpp>

#include <csh/agent/forward_codec.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "forward_trace.hpp"

using namespace csh::agent::forward;
using trace::from_hex;
using trace::to_hex;

namespace {

// Every packet `bytes` holds, fed in pieces of `piece` bytes (0: at once).
std::vector<Packet> decode_all(const std::string& bytes, std::size_t piece, DecodeError* error = nullptr) {
    PacketDecoder decoder;
    std::vector<Packet> packets;
    std::size_t fed = 0;
    for (;;) {
        Packet packet;
        const auto status = decoder.next(packet);
        if (status == PacketDecoder::Status::kPacket) {
            packets.push_back(packet);
            continue;
        }
        if (status == PacketDecoder::Status::kError) {
            if (error != nullptr) *error = decoder.error();
            return packets;
        }
        if (fed == bytes.size()) break;
        const std::size_t take = piece == 0 ? bytes.size() : std::min(piece, bytes.size() - fed);
        decoder.feed(bytes.data() + fed, take);
        fed += take;
    }
    if (error != nullptr) *error = decoder.buffered() == 0 ? DecodeError::kNone : DecodeError::kTruncated;
    return packets;
}

Packet decode_one(const std::string& bytes) {
    DecodeError error = DecodeError::kNone;
    auto packets = decode_all(bytes, 0, &error);
    BOOST_REQUIRE_MESSAGE(error == DecodeError::kNone, describe(error));
    BOOST_REQUIRE_EQUAL(packets.size(), 1u);
    return packets.front();
}

DecodeError decode_error_of(const std::string& bytes) {
    DecodeError error = DecodeError::kNone;
    (void)decode_all(bytes, 0, &error);
    return error;
}

std::string control(std::uint64_t type, std::uint64_t id) {
    std::string out;
    append_control(out, type, id);
    return out;
}

std::string packet_bytes(std::uint64_t type, std::uint64_t id, const std::string& payload) {
    std::string out;
    append_packet(out, type, id, payload);
    return out;
}

SetupPacket trace_setup() {
    SetupPacket setup;
    setup.connection_type = kPortDial;
    return setup;
}

NewConnectionPayload trace_connection() {
    NewConnectionPayload connection;
    connection.protocol = "tcp";
    connection.connected_address = "127.0.0.1";
    connection.connected_port = 8080;
    connection.originator_address = "127.0.0.1";
    connection.originator_port = 54321;
    return connection;
}

std::string whole_trace() {
    std::string all;
    for (auto hex : {trace::kSetup, trace::kSetupSuccess, trace::kNewConnection, trace::kConnectionSuccess,
                     trace::kDataPing, trace::kDataPong, trace::kClose, trace::kCloseAck, trace::kNoMore}) {
        all += from_hex(hex);
    }
    return all;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(trace_bytes)

BOOST_AUTO_TEST_CASE(setup_is_written_as_fxamacker_writes_it) {
    const std::string expected = from_hex(trace::kSetup);
    BOOST_TEST(expected.size() == 130u);
    const std::string payload = encode_setup(trace_setup());
    BOOST_TEST(payload.size() == 99u);
    BOOST_TEST(to_hex(packet_bytes(kSetup, 0, payload)) == to_hex(expected));
}

BOOST_AUTO_TEST_CASE(new_connection_is_written_as_fxamacker_writes_it) {
    const std::string expected = from_hex(trace::kNewConnection);
    BOOST_TEST(expected.size() == 135u);
    BOOST_TEST(to_hex(packet_bytes(kNewConnection, 1, encode_new_connection(trace_connection()))) == to_hex(expected));
}

BOOST_AUTO_TEST_CASE(control_and_data_packets_are_written_as_fxamacker_writes_them) {
    BOOST_TEST(from_hex(trace::kSetupSuccess).size() == 30u);
    BOOST_TEST(to_hex(control(kSuccess, 0)) == to_hex(from_hex(trace::kSetupSuccess)));
    BOOST_TEST(to_hex(control(kSuccess, 1)) == to_hex(from_hex(trace::kConnectionSuccess)));
    BOOST_TEST(to_hex(control(kCloseConnection, 1)) == to_hex(from_hex(trace::kClose)));
    BOOST_TEST(to_hex(control(kNoMoreConnections, 0)) == to_hex(from_hex(trace::kNoMore)));
    BOOST_TEST(to_hex(packet_bytes(kData, 1, "ping\n")) == to_hex(from_hex(trace::kDataPing)));
    BOOST_TEST(to_hex(packet_bytes(kData, 1, "pong\n")) == to_hex(from_hex(trace::kDataPong)));
    // An empty non-DATA payload is Go's nil []byte: null, never 0x40.
    BOOST_TEST(to_hex(packet_bytes(kSuccess, 0, "")) == to_hex(from_hex(trace::kSetupSuccess)));
}

BOOST_AUTO_TEST_CASE(the_trace_decodes_to_its_packets) {
    const auto packets = decode_all(whole_trace(), 0);
    BOOST_REQUIRE_EQUAL(packets.size(), 9u);
    const std::uint64_t types[] = {kSetup, kSuccess, kNewConnection, kSuccess, kData, kData, kCloseConnection, kSuccess,
                                   kNoMoreConnections};
    const std::uint64_t ids[] = {0, 0, 1, 1, 1, 1, 1, 1, 0};
    for (std::size_t i = 0; i < packets.size(); ++i) {
        BOOST_TEST_CONTEXT("packet " << i) {
            BOOST_TEST(packets[i].type == types[i]);
            BOOST_TEST(packets[i].connection_id == ids[i]);
        }
    }
    SetupPacket setup;
    BOOST_REQUIRE(decode_setup(packets[0].payload, setup) == DecodeError::kNone);
    BOOST_TEST(setup.connection_type == kPortDial);
    BOOST_TEST(!setup.has_extensions);
    BOOST_TEST(setup.protocol == "");
    NewConnectionPayload connection;
    BOOST_REQUIRE(decode_new_connection(packets[2].payload, connection) == DecodeError::kNone);
    BOOST_TEST(connection.protocol == "tcp");
    BOOST_TEST(connection.connected_address == "127.0.0.1");
    BOOST_TEST(connection.connected_port == 8080u);
    BOOST_TEST(connection.originator_address == "127.0.0.1");
    BOOST_TEST(connection.originator_port == 54321u);
    BOOST_TEST(packets[1].payload_null);
    BOOST_TEST(!packets[4].payload_null);
    BOOST_TEST(packets[4].payload == "ping\n");
    BOOST_TEST(packets[5].payload == "pong\n");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(round_trips)

BOOST_AUTO_TEST_CASE(setup_with_every_field_and_extensions) {
    SetupPacket setup;
    setup.connection_type = kX11;
    setup.bind_host = "/tmp/some socket";
    setup.bind_port = 65535;
    setup.protocol = "unix";
    setup.screen = "12";
    setup.single_connection = true;
    setup.auth_protocol = "MIT-MAGIC-COOKIE-1";
    setup.auth_cookie = std::string(32, 'a');
    setup.has_extensions = true;
    setup.extensions = {kExtensionWindow, kExtensionEof, kExtensionListenInfo};
    SetupPacket back;
    BOOST_REQUIRE(decode_setup(encode_setup(setup), back) == DecodeError::kNone);
    BOOST_TEST(back.connection_type == setup.connection_type);
    BOOST_TEST(back.bind_host == setup.bind_host);
    BOOST_TEST(back.bind_port == setup.bind_port);
    BOOST_TEST(back.protocol == setup.protocol);
    BOOST_TEST(back.screen == setup.screen);
    BOOST_TEST(back.single_connection);
    BOOST_TEST(back.auth_protocol == setup.auth_protocol);
    BOOST_TEST(back.auth_cookie == setup.auth_cookie);
    BOOST_TEST(back.has_extensions);
    BOOST_TEST(back.extensions == setup.extensions, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(setup_reply_and_window) {
    SetupReply reply;
    reply.extensions = {kExtensionListenInfo};
    reply.bind_port = 40000;
    reply.display = 10;
    reply.pid = 4000000;
    SetupReply back;
    BOOST_REQUIRE(decode_setup_reply(encode_setup_reply(reply), back) == DecodeError::kNone);
    BOOST_TEST(back.extensions == reply.extensions, boost::test_tools::per_element());
    BOOST_TEST(back.bind_port == 40000u);
    BOOST_TEST(back.display == 10u);
    BOOST_TEST(back.pid == 4000000u);
    std::uint64_t credit = 0;
    BOOST_REQUIRE(decode_window(encode_window(kInitialWindow), credit) == DecodeError::kNone);
    BOOST_TEST(credit == kInitialWindow);
}

BOOST_AUTO_TEST_CASE(integers_take_their_shortest_form) {
    const std::pair<std::uint64_t, const char*> cases[] = {
        {0, "00"}, {23, "17"}, {24, "1818"}, {255, "18ff"}, {256, "190100"}, {65535, "19ffff"},
        {65536, "1a00010000"}, {0xffffffffu, "1affffffff"}, {0x100000000u, "1b0000000100000000"},
        {UINT64_MAX, "1bffffffffffffffff"},
    };
    for (const auto& [value, hex] : cases) {
        BOOST_TEST(to_hex(encode_window(value)) == hex);
        std::uint64_t back = 1;
        BOOST_TEST(decode_window(encode_window(value), back) == DecodeError::kNone);
        BOOST_TEST(back == value);
        const Packet packet = decode_one(control(kCloseConnection, value));
        BOOST_TEST(packet.connection_id == value);
    }
}

BOOST_AUTO_TEST_CASE(data_payloads_of_every_length_class) {
    for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{23}, std::size_t{24}, std::size_t{255},
                             std::size_t{256}, std::size_t{65535}, std::size_t{65536}, kMaxItemBytes}) {
        BOOST_TEST_CONTEXT("size " << size) {
            std::string data(size, '\0');
            for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<char>(i * 7);
            const Packet packet = decode_one(packet_bytes(kData, 5, data));
            BOOST_TEST(packet.type == kData);
            BOOST_TEST(!packet.payload_null);
            BOOST_TEST((packet.payload == data));
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(incremental)

BOOST_AUTO_TEST_CASE(byte_by_byte_gives_the_same_packets) {
    const std::string all = whole_trace() + packet_bytes(kData, 9, std::string(70000, 'x'));
    const auto whole = decode_all(all, 0);
    for (std::size_t piece : {1, 2, 3, 7, 29, 30, 31, 4096}) {
        BOOST_TEST_CONTEXT("pieces of " << piece) {
            DecodeError error = DecodeError::kTruncated;
            const auto packets = decode_all(all, piece, &error);
            BOOST_TEST(error == DecodeError::kNone);
            BOOST_REQUIRE_EQUAL(packets.size(), whole.size());
            for (std::size_t i = 0; i < packets.size(); ++i) {
                BOOST_TEST(packets[i].type == whole[i].type);
                BOOST_TEST(packets[i].connection_id == whole[i].connection_id);
                BOOST_TEST((packets[i].payload == whole[i].payload));
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(random_cuts_give_the_same_packets) {
    const std::string all = whole_trace() + whole_trace();
    std::mt19937 random(42);
    for (int round = 0; round < 200; ++round) {
        PacketDecoder decoder;
        std::size_t fed = 0, count = 0;
        while (fed < all.size()) {
            const std::size_t take = std::min<std::size_t>(random() % 50 + 1, all.size() - fed);
            decoder.feed(all.data() + fed, take);
            fed += take;
            Packet packet;
            while (decoder.next(packet) == PacketDecoder::Status::kPacket) ++count;
        }
        BOOST_TEST(count == 18u);
        BOOST_TEST(decoder.buffered() == 0u);
    }
}

BOOST_AUTO_TEST_CASE(a_partial_packet_waits) {
    const std::string ping = from_hex(trace::kDataPing);
    PacketDecoder decoder;
    decoder.feed(ping.data(), ping.size() - 1);
    Packet packet;
    BOOST_TEST((decoder.next(packet) == PacketDecoder::Status::kNeedMore));
    BOOST_TEST(decoder.buffered() == ping.size() - 1);
    decoder.feed(ping.data() + ping.size() - 1, 1);
    BOOST_TEST((decoder.next(packet) == PacketDecoder::Status::kPacket));
    BOOST_TEST(packet.payload == "ping\n");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(tolerant_reading)

namespace cb = csh::agent::forward::cbor;

BOOST_AUTO_TEST_CASE(keys_in_any_order_unknown_keys_and_other_cases) {
    std::string bytes;
    cb::put_head(bytes, 5, 6);
    cb::put_text(bytes, "payload");
    cb::put_bytes(bytes, "abc");
    cb::put_text(bytes, "Extra");
    cb::put_head(bytes, 5, 1);  // a map holding an array: depth 3 in all
    cb::put_uint(bytes, 1);     // with an integer key
    cb::put_head(bytes, 4, 2);
    cb::put_head(bytes, 1, 5);  // -6
    cb::put_bool(bytes, true);
    cb::put_text(bytes, "CONNECTIONID");
    cb::put_uint(bytes, 77);
    cb::put_uint(bytes, 12);  // an integer key: skipped with its value
    cb::put_text(bytes, "ignored");
    cb::put_text(bytes, "Unknown");
    bytes.push_back(static_cast<char>(0xf7));  // undefined
    cb::put_text(bytes, "tYpE");
    cb::put_uint(bytes, kData);
    const Packet packet = decode_one(bytes);
    BOOST_TEST(packet.type == kData);
    BOOST_TEST(packet.connection_id == 77u);
    BOOST_TEST(packet.payload == "abc");
}

BOOST_AUTO_TEST_CASE(missing_keys_and_null_values_are_zero_values) {
    std::string bytes;
    cb::put_head(bytes, 5, 2);
    cb::put_text(bytes, "Type");
    cb::put_uint(bytes, kNoMoreConnections);
    cb::put_text(bytes, "ConnectionId");
    cb::put_null(bytes);
    const Packet packet = decode_one(bytes);
    BOOST_TEST(packet.type == kNoMoreConnections);
    BOOST_TEST(packet.connection_id == 0u);
    BOOST_TEST(packet.payload_null);

    std::string setup_bytes;
    cb::put_head(setup_bytes, 5, 3);
    cb::put_text(setup_bytes, "bindhost");
    cb::put_text(setup_bytes, "0.0.0.0");
    cb::put_text(setup_bytes, "Screen");
    cb::put_null(setup_bytes);
    cb::put_text(setup_bytes, "connectiontype");
    cb::put_uint(setup_bytes, kPortForward);
    SetupPacket setup;
    BOOST_REQUIRE(decode_setup(setup_bytes, setup) == DecodeError::kNone);
    BOOST_TEST(setup.connection_type == kPortForward);
    BOOST_TEST(setup.bind_host == "0.0.0.0");
    BOOST_TEST(setup.bind_port == 0u);
    BOOST_TEST(!setup.has_extensions);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(malformed)

namespace cb = csh::agent::forward::cbor;

BOOST_AUTO_TEST_CASE(refusals_name_their_reason) {
    const std::pair<const char*, DecodeError> cases[] = {
        {"c0 a0", DecodeError::kTag},
        {"fa 00000000", DecodeError::kFloat},
        {"a1 64 54797065 f9 0000", DecodeError::kFloat},
        {"bf ff", DecodeError::kIndefinite},
        {"a1 67 5061796c6f6164 5f 41 00 ff", DecodeError::kIndefinite},
        {"ff", DecodeError::kIndefinite},
        {"1c", DecodeError::kReserved},
        {"a1 64 54797065 e0", DecodeError::kSimpleValue},
        {"a1 64 54797065 f8 20", DecodeError::kSimpleValue},
        {"a1 61 78 a1 61 78 a1 61 78 a0", DecodeError::kTooDeep},
        {"a1 61 78 81 81 81 00", DecodeError::kTooDeep},
        {"5a 00100001", DecodeError::kTooLarge},
        {"a1 61 78 5a 00100001", DecodeError::kTooLarge},
        {"a1 61 78 9a 00010000", DecodeError::kTooManyEntries},
        {"83 01 02 03", DecodeError::kNotAMap},
        {"01", DecodeError::kNotAMap},
        {"f6", DecodeError::kNotAMap},
        {"a1 64 54797065 64 74657874", DecodeError::kWrongType},
        {"a1 64 54797065 20", DecodeError::kWrongType},
        {"a1 67 5061796c6f6164 63 616263", DecodeError::kWrongType},
        {"a1 6c 436f6e6e656374696f6e4964 f5", DecodeError::kWrongType},
    };
    for (const auto& [hex, expected] : cases) {
        BOOST_TEST_CONTEXT(hex) {
            const DecodeError error = decode_error_of(from_hex(hex));
            BOOST_TEST(static_cast<int>(error) == static_cast<int>(expected), describe(error));
        }
    }
}

BOOST_AUTO_TEST_CASE(an_oversized_string_is_refused_from_its_head_without_waiting) {
    // The head announces 1 MiB + 1 bytes: refused before any of them arrive.
    PacketDecoder decoder;
    const std::string head = from_hex("a1 67 5061796c6f6164 5a 00100001");
    decoder.feed(head.data(), head.size());
    Packet packet;
    BOOST_TEST((decoder.next(packet) == PacketDecoder::Status::kError));
    BOOST_TEST((decoder.error() == DecodeError::kTooLarge));
}

BOOST_AUTO_TEST_CASE(a_packet_over_the_bound_is_refused_however_it_arrives) {
    // Two strings of 1 MiB each: every item is allowed, the packet is not.
    std::string bytes;
    cb::put_head(bytes, 5, 2);
    cb::put_text(bytes, "Payload");
    cb::put_bytes(bytes, std::string(kMaxItemBytes, 'a'));
    cb::put_text(bytes, "Extra");
    cb::put_text(bytes, std::string(kMaxItemBytes, 'b'));
    for (std::size_t piece : {std::size_t{0}, std::size_t{65536}}) {
        DecodeError error = DecodeError::kNone;
        (void)decode_all(bytes, piece, &error);
        BOOST_TEST(error == DecodeError::kTooLarge, "pieces of " << piece);
    }
}

BOOST_AUTO_TEST_CASE(errors_are_sticky) {
    PacketDecoder decoder;
    const std::string bad = from_hex("c0");
    const std::string good = from_hex(trace::kNoMore);
    decoder.feed(bad.data(), bad.size());
    decoder.feed(good.data(), good.size());
    Packet packet;
    BOOST_TEST((decoder.next(packet) == PacketDecoder::Status::kError));
    decoder.feed(good.data(), good.size());
    BOOST_TEST((decoder.next(packet) == PacketDecoder::Status::kError));
    BOOST_TEST((decoder.error() == DecodeError::kTag));
}

BOOST_AUTO_TEST_CASE(nested_payloads_refuse_truncation_trailing_bytes_and_wrong_types) {
    const std::string setup = encode_setup(trace_setup());
    SetupPacket out;
    BOOST_TEST((decode_setup(setup.substr(0, setup.size() - 1), out) == DecodeError::kTruncated));
    BOOST_TEST((decode_setup(setup + '\x00', out) == DecodeError::kTrailingBytes));
    BOOST_TEST((decode_setup("", out) == DecodeError::kTruncated));
    BOOST_TEST((decode_setup(from_hex("a1 66 53637265656e 01"), out) == DecodeError::kWrongType));
    BOOST_TEST((decode_setup(from_hex("a1 6a 457874656e73696f6e73 81 01"), out) == DecodeError::kWrongType));
    NewConnectionPayload connection;
    BOOST_TEST((decode_new_connection(from_hex("a1 6d 436f6e6e6563746564506f7274 63 616263"), connection) ==
                DecodeError::kWrongType));
    std::uint64_t credit = 0;
    BOOST_TEST((decode_window(from_hex("20"), credit) == DecodeError::kWrongType));
    BOOST_TEST((decode_window(from_hex("01 02"), credit) == DecodeError::kTrailingBytes));
}

BOOST_AUTO_TEST_CASE(every_prefix_of_the_trace_is_truncated_never_an_error) {
    const std::string all = whole_trace();
    for (std::size_t cut = 0; cut < all.size(); ++cut) {
        DecodeError error = DecodeError::kNone;
        (void)decode_all(all.substr(0, cut), 0, &error);
        BOOST_TEST((error == DecodeError::kNone || error == DecodeError::kTruncated), "cut at " << cut);
    }
}

BOOST_AUTO_TEST_CASE(random_garbage_never_crashes) {
    std::mt19937 random(7);
    for (int round = 0; round < 20000; ++round) {
        std::string bytes(random() % 64, '\0');
        for (auto& byte : bytes) byte = static_cast<char>(random());
        if (!bytes.empty() && round % 2 == 0) bytes[0] = static_cast<char>(0xa0 | (random() % 4));
        (void)decode_error_of(bytes);
        SetupPacket setup;
        (void)decode_setup(bytes, setup);
    }
}

BOOST_AUTO_TEST_SUITE_END()
