// ForwardMux against a scripted agent: the test plays the agent with the
// codec (packets built with append_packet, the mux's output decoded with
// PacketDecoder) and checks bytes and events.
#include <boost/test/unit_test.hpp>

#include <csh/agent/forward_codec.hpp>
#include <csh/agent_forward/forward_mux.hpp>

#include <memory>
#include <string>
#include <vector>

#include "forward_trace.hpp"
#include "test_channel.hpp"

namespace proto = csh::agent::forward;
using csh::agent_forward::ForwardMux;
using csh::agent_forward::test::TestChannel;
using proto::trace::from_hex;

namespace {

using Strings = std::vector<std::string>;

std::string packet(uint64_t type, uint64_t id, std::string_view payload = {}) {
    std::string out;
    proto::append_packet(out, type, id, payload);
    return out;
}

// The §1.5 trace's dial target.
proto::NewConnectionPayload trace_target() { return {"tcp", "127.0.0.1", 8080, "127.0.0.1", 54321}; }

const Strings kAllExtensions{proto::kExtensionWindow, proto::kExtensionEof, proto::kExtensionListenInfo};

// The scripted agent. Mux events and channel events go to one log.
struct Peer {
    Strings log;
    int output_ready_calls = 0;
    proto::SetupReply reply;
    proto::NewConnectionPayload incoming_from;
    std::string violation;
    ForwardMux mux{events()};

    ForwardMux::Events events() {
        ForwardMux::Events e;
        e.output_ready = [this] { ++output_ready_calls; };
        e.setup_done = [this](bool ok, const proto::SetupReply& r) {
            log.push_back(ok ? "setup ok" : "setup failed");
            reply = r;
        };
        e.input_ready = [this] { log.push_back("input_ready"); };
        e.incoming = [this](uint64_t id, const proto::NewConnectionPayload& from) {
            log.push_back("incoming " + std::to_string(id));
            incoming_from = from;
        };
        e.violation = [this](const std::string& what) {
            log.push_back("violation");
            violation = what;
        };
        return e;
    }

    // Everything the mux queued for the agent's stdin, marked written.
    std::string take_bytes() {
        std::string bytes(mux.pending_output());
        mux.output_written(bytes.size());
        return bytes;
    }
    std::vector<proto::Packet> take_packets() {
        const std::string bytes = take_bytes();
        proto::PacketDecoder decoder;
        decoder.feed(bytes.data(), bytes.size());
        std::vector<proto::Packet> packets;
        proto::Packet p;
        while (decoder.next(p) == proto::PacketDecoder::Status::kPacket) packets.push_back(p);
        BOOST_REQUIRE_EQUAL(decoder.buffered(), 0u);
        return packets;
    }
    void feed(const std::string& bytes) { BOOST_TEST(mux.receive(bytes) == bytes.size()); }
    void agent(uint64_t type, uint64_t id, std::string_view payload = {}) { feed(packet(type, id, payload)); }

    // SETUP sent and answered: by the original agent (null payload) unless
    // `accepted` lists extensions our agent accepted.
    void start(const Strings& accepted, uint64_t type = proto::kPortDial) {
        proto::SetupPacket setup;
        setup.connection_type = type;
        mux.setup(setup);
        take_bytes();
        if (accepted.empty()) {
            agent(proto::kSuccess, 0);
        } else {
            proto::SetupReply r;
            r.extensions = accepted;
            agent(proto::kSuccess, 0, proto::encode_setup_reply(r));
        }
        log.clear();
    }
    // A dialled connection the agent opened.
    uint64_t open(TestChannel& channel) {
        const uint64_t id = mux.dial(trace_target(), &channel);
        take_bytes();
        agent(proto::kSuccess, id);
        log.clear();
        return id;
    }
};

// A started conversation with one dialled connection open.
struct OpenConnection {
    explicit OpenConnection(const Strings& accepted) {
        peer.start(accepted);
        id = peer.open(channel);
    }
    Peer peer;
    TestChannel channel{"c", peer.log};
    uint64_t id = 0;
};

void check_packet(const proto::Packet& p, uint64_t type, uint64_t id) {
    BOOST_TEST(p.type == type);
    BOOST_TEST(p.connection_id == id);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(scripted_agent)

BOOST_AUTO_TEST_CASE(setup_lists_extensions_and_reads_the_reply) {
    Peer peer;
    proto::SetupPacket setup;
    setup.connection_type = proto::kPortForward;
    setup.bind_host = "127.0.0.1";
    peer.mux.setup(setup);
    BOOST_TEST(peer.output_ready_calls == 1);
    setup.has_extensions = true;
    setup.extensions = kAllExtensions;
    BOOST_TEST(peer.take_bytes() == packet(proto::kSetup, 0, proto::encode_setup(setup)));
    BOOST_TEST(!peer.mux.ready());

    proto::SetupReply reply;
    reply.extensions = {proto::kExtensionWindow, proto::kExtensionListenInfo};
    reply.bind_port = 40000;
    reply.pid = 77;
    peer.agent(proto::kSuccess, 0, proto::encode_setup_reply(reply));
    BOOST_TEST(peer.log == Strings{"setup ok"});
    BOOST_TEST(peer.reply.bind_port == 40000u);
    BOOST_TEST(peer.reply.pid == 77u);
    BOOST_TEST(peer.mux.ready());
    BOOST_TEST(peer.mux.has_extension(proto::kExtensionWindow));
    BOOST_TEST(peer.mux.has_extension(proto::kExtensionListenInfo));
    BOOST_TEST(!peer.mux.has_extension(proto::kExtensionEof));
}

BOOST_AUTO_TEST_CASE(original_agent_null_reply_enables_nothing) {
    Peer peer;
    peer.mux.setup({});
    peer.take_bytes();
    peer.feed(from_hex(proto::trace::kSetupSuccess));
    BOOST_TEST(peer.log == Strings{"setup ok"});
    BOOST_TEST(peer.reply.extensions.empty());
    BOOST_TEST(!peer.mux.has_extension(proto::kExtensionWindow));
    BOOST_TEST(!peer.mux.has_extension(proto::kExtensionEof));
    BOOST_TEST(peer.mux.ready());
}

BOOST_AUTO_TEST_CASE(setup_error_fails_it) {
    Peer peer;
    peer.mux.setup({});
    peer.take_bytes();
    peer.agent(proto::kError, 0);
    BOOST_TEST(peer.log == Strings{"setup failed"});
    BOOST_TEST(!peer.mux.ready());
}

// The whole §1.5 trace after SETUP, byte for byte.
BOOST_AUTO_TEST_CASE(dial_follows_the_packet_trace) {
    Peer peer;
    peer.start({});
    TestChannel channel("c1", peer.log);
    BOOST_TEST(peer.mux.dial(trace_target(), &channel) == 1u);
    BOOST_TEST(peer.take_bytes() == from_hex(proto::trace::kNewConnection));
    BOOST_TEST(peer.mux.connections() == 1u);
    peer.feed(from_hex(proto::trace::kConnectionSuccess));
    BOOST_TEST(peer.log == Strings{"c1 opened"});
    BOOST_TEST(peer.mux.send(1, "ping\n") == 5u);
    BOOST_TEST(peer.take_bytes() == from_hex(proto::trace::kDataPing));
    peer.feed(from_hex(proto::trace::kDataPong));
    BOOST_TEST(channel.received == "pong\n");
    peer.feed(from_hex(proto::trace::kClose));
    BOOST_TEST(peer.take_bytes() == from_hex(proto::trace::kCloseAck));
    BOOST_TEST(peer.log == (Strings{"c1 opened", "c1 data 5 took 5", "c1 closed: closed by the agent"}));
    BOOST_TEST(peer.mux.connections() == 0u);
    peer.mux.no_more();
    BOOST_TEST(peer.take_bytes() == from_hex(proto::trace::kNoMore));
}

BOOST_AUTO_TEST_CASE(dial_ids_increase_and_error_refuses) {
    Peer peer;
    peer.start({});
    TestChannel a("a", peer.log), b("b", peer.log);
    BOOST_TEST(peer.mux.dial(trace_target(), &a) == 1u);
    BOOST_TEST(peer.mux.dial(trace_target(), &b) == 2u);
    auto packets = peer.take_packets();
    BOOST_REQUIRE_EQUAL(packets.size(), 2u);
    check_packet(packets[1], proto::kNewConnection, 2);
    peer.agent(proto::kError, 1);
    BOOST_TEST(peer.log == Strings{"a refused: the agent could not connect"});
    BOOST_TEST(peer.mux.connections() == 1u);
    BOOST_TEST(peer.violation.empty());
}

BOOST_AUTO_TEST_CASE(send_splits_into_32k_packets) {
    OpenConnection open({});
    auto& [peer, channel, id] = open;
    std::string bytes(100 * 1024, 'x');
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7);
    BOOST_TEST(peer.mux.send(id, bytes) == bytes.size());
    const auto packets = peer.take_packets();
    BOOST_REQUIRE_EQUAL(packets.size(), 4u);
    std::string joined;
    for (const auto& p : packets) {
        check_packet(p, proto::kData, id);
        BOOST_TEST(p.payload.size() <= ForwardMux::kMaxDataPacket);
        joined += p.payload;
    }
    BOOST_TEST(packets[3].payload.size() == 4 * 1024u);
    BOOST_TEST(joined == bytes);
}

BOOST_AUTO_TEST_CASE(window_credit_limits_send_until_window_adjust) {
    OpenConnection open(kAllExtensions);
    auto& [peer, channel, id] = open;
    const std::string big(300 * 1024, 'w');
    BOOST_TEST(peer.mux.send(id, big) == proto::kInitialWindow);
    peer.take_bytes();
    BOOST_TEST(peer.mux.send(id, "x") == 0u);
    BOOST_TEST(peer.log.empty());
    peer.agent(proto::kWindowAdjust, id, proto::encode_window(64 * 1024));
    BOOST_TEST(peer.log == Strings{"c ready"});
    BOOST_TEST(peer.mux.send(id, big) == 64 * 1024u);
}

BOOST_AUTO_TEST_CASE(output_bound_without_window) {
    OpenConnection open({});
    auto& [peer, channel, id] = open;
    const std::string big(300 * 1024, 'b');
    BOOST_TEST(peer.mux.send(id, big) == ForwardMux::kOutputBound);
    BOOST_TEST(peer.mux.send(id, "x") == 0u);
    const size_t queued = peer.mux.pending_output().size();
    // Room returns only once the queue is down to half the bound.
    peer.mux.output_written(queued - ForwardMux::kOutputBound / 2 - 1);
    BOOST_TEST(peer.log.empty());
    peer.mux.output_written(1);
    BOOST_TEST(peer.log == Strings{"c ready"});
}

BOOST_AUTO_TEST_CASE(inbound_kept_offered_on_resume_then_eof_and_close) {
    OpenConnection open(kAllExtensions);
    auto& [peer, channel, id] = open;
    channel.take_limit = 3;
    peer.agent(proto::kData, id, "hello world");
    peer.agent(proto::kData, id, "!!");
    peer.agent(proto::kEof, id);
    peer.agent(proto::kCloseConnection, id);
    // The CLOSE is acked at once; the channel hears it only after its data.
    const auto packets = peer.take_packets();
    BOOST_REQUIRE_EQUAL(packets.size(), 1u);
    check_packet(packets[0], proto::kSuccess, id);
    BOOST_TEST(peer.log == Strings{"c data 11 took 3"});
    BOOST_TEST(peer.mux.connections() == 1u);
    channel.take_limit = 4;
    peer.mux.resume(id);
    channel.take_limit = 100;
    peer.mux.resume(id);
    BOOST_TEST(channel.received == "hello world!!");
    BOOST_TEST(peer.log == (Strings{"c data 11 took 3", "c data 10 took 4", "c data 6 took 6", "c eof",
                                    "c closed: closed by the agent"}));
    BOOST_TEST(peer.mux.connections() == 0u);
}

BOOST_AUTO_TEST_CASE(window_adjust_granted_after_a_quarter_taken) {
    OpenConnection open(kAllExtensions);
    auto& [peer, channel, id] = open;
    const std::string chunk(32 * 1024, 'd');
    peer.agent(proto::kData, id, chunk);
    BOOST_TEST(peer.take_bytes().empty());
    channel.take_limit = 32 * 1024 - 1;
    peer.agent(proto::kData, id, chunk);
    BOOST_TEST(peer.take_bytes().empty());  // one byte short of the threshold
    channel.take_limit = 1;
    peer.mux.resume(id);
    BOOST_TEST(peer.take_bytes() == packet(proto::kWindowAdjust, id, proto::encode_window(ForwardMux::kGrantThreshold)));
}

BOOST_AUTO_TEST_CASE(data_beyond_credit_is_a_violation) {
    OpenConnection open(kAllExtensions);
    auto& [peer, channel, id] = open;
    channel.take_limit = 0;
    const std::string chunk(32 * 1024, 'd');
    for (int i = 0; i < 8; ++i) peer.agent(proto::kData, id, chunk);
    BOOST_TEST(peer.violation.empty());
    peer.agent(proto::kData, id, "x");
    BOOST_TEST(peer.violation == "DATA beyond the credit of connection 1");
}

BOOST_AUTO_TEST_CASE(receive_stops_without_window_until_drained) {
    OpenConnection open({});
    auto& [peer, channel, id] = open;
    channel.take_limit = 0;
    const std::string data = packet(proto::kData, id, std::string(32 * 1024, 'h'));
    for (size_t held = 0; held <= ForwardMux::kInboundBound; held += 32 * 1024) peer.feed(data);
    BOOST_TEST(peer.mux.receive(data) == 0u);
    BOOST_TEST(peer.log.back() != "input_ready");
    channel.take_limit = static_cast<size_t>(-1);
    peer.mux.resume(id);
    BOOST_TEST(peer.log.back() == "input_ready");
    BOOST_TEST(channel.received.size() == ForwardMux::kInboundBound + 32 * 1024);
    BOOST_TEST(peer.mux.receive(data) == data.size());
}

BOOST_AUTO_TEST_CASE(close_then_ack_erases_and_late_data_is_ignored) {
    OpenConnection open({});
    auto& [peer, channel, id] = open;
    peer.mux.close(id);
    peer.mux.close(id);  // never twice
    const auto packets = peer.take_packets();
    BOOST_REQUIRE_EQUAL(packets.size(), 1u);
    check_packet(packets[0], proto::kCloseConnection, id);
    peer.agent(proto::kData, id, "late");
    BOOST_TEST(peer.mux.connections() == 1u);
    peer.agent(proto::kSuccess, id);
    BOOST_TEST(peer.mux.connections() == 0u);
    BOOST_TEST(peer.log.empty());
    BOOST_TEST(peer.take_bytes().empty());
}

BOOST_AUTO_TEST_CASE(crossing_closes) {
    OpenConnection open({});
    auto& [peer, channel, id] = open;
    peer.mux.close(id);
    peer.take_bytes();
    peer.agent(proto::kCloseConnection, id);
    BOOST_TEST(peer.take_bytes() == packet(proto::kSuccess, id));
    BOOST_TEST(peer.mux.connections() == 0u);
    peer.agent(proto::kSuccess, id);  // the agent's ack of ours: finds nothing
    BOOST_TEST(peer.log.empty());
    BOOST_TEST(peer.take_bytes().empty());
}

BOOST_AUTO_TEST_CASE(send_eof_with_csh_eof) {
    OpenConnection open(kAllExtensions);
    auto& [peer, channel, id] = open;
    peer.mux.send_eof(id);
    BOOST_TEST(peer.take_bytes() == packet(proto::kEof, id));
    BOOST_TEST(peer.mux.send(id, "dropped") == 7u);
    BOOST_TEST(peer.take_bytes().empty());
    peer.agent(proto::kData, id, "answer");
    peer.agent(proto::kEof, id);
    peer.agent(proto::kCloseConnection, id);
    BOOST_TEST(peer.take_bytes() == packet(proto::kSuccess, id));
    BOOST_TEST(peer.log == (Strings{"c data 6 took 6", "c eof", "c closed: closed by the agent"}));
}

BOOST_AUTO_TEST_CASE(send_eof_without_csh_eof_closes) {
    OpenConnection open({});
    auto& [peer, channel, id] = open;
    peer.mux.send_eof(id);
    BOOST_TEST(peer.take_bytes() == packet(proto::kCloseConnection, id));
    BOOST_TEST(peer.log == Strings{"c closed: EOF ends the connection (the agent has no csh.eof)"});
    peer.agent(proto::kSuccess, id);
    BOOST_TEST(peer.mux.connections() == 0u);
}

BOOST_AUTO_TEST_CASE(listener_incoming_accept_and_reject) {
    Peer peer;
    peer.start(kAllExtensions, proto::kPortForward);
    const proto::NewConnectionPayload from{"tcp", "0.0.0.0", 2222, "127.0.0.1", 50000};
    peer.agent(proto::kNewConnection, 1, proto::encode_new_connection(from));
    BOOST_TEST(peer.log == Strings{"incoming 1"});
    BOOST_TEST(peer.incoming_from.connected_port == 2222u);
    BOOST_TEST(peer.incoming_from.originator_port == 50000u);
    TestChannel channel("c", peer.log);
    peer.mux.accept(1, &channel);
    BOOST_TEST(peer.take_bytes() == packet(proto::kSuccess, 1));
    peer.agent(proto::kData, 1, "in");
    BOOST_TEST(peer.mux.send(1, "out") == 3u);
    BOOST_TEST(peer.take_bytes() == packet(proto::kData, 1, "out"));
    BOOST_TEST(channel.received == "in");

    peer.agent(proto::kNewConnection, 2, proto::encode_new_connection(from));
    peer.mux.reject(2);
    BOOST_TEST(peer.take_bytes() == packet(proto::kError, 2));
    BOOST_TEST(peer.mux.connections() == 1u);
    // Ids from the agent strictly increase.
    peer.agent(proto::kNewConnection, 2, proto::encode_new_connection(from));
    BOOST_TEST(peer.violation == "NEW_CONNECTION 2 reuses an id");
}

BOOST_AUTO_TEST_CASE(ended_refuses_dialing_closes_open_and_fails_setup) {
    Peer peer;
    peer.mux.setup({});
    TestChannel dialing("dialing", peer.log);
    peer.mux.dial(trace_target(), &dialing);
    peer.mux.ended("the agent exited");
    BOOST_TEST(peer.log == (Strings{"setup failed", "dialing refused: the agent exited"}));

    Peer second;
    second.start({});
    TestChannel a("a", second.log), b("b", second.log);
    const uint64_t id = second.open(a);
    second.mux.dial(trace_target(), &b);
    second.take_bytes();
    second.mux.ended("stream failed");
    BOOST_TEST(second.log == (Strings{"a closed: stream failed", "b refused: stream failed"}));
    BOOST_TEST(second.mux.connections() == 0u);
    // Nothing is called and nothing queued after it.
    second.agent(proto::kData, id, "x");
    BOOST_TEST(second.mux.send(id, "x") == 1u);
    BOOST_TEST(second.log.size() == 2u);
    BOOST_TEST(second.take_bytes().empty());
}

BOOST_AUTO_TEST_CASE(garbage_bytes_are_a_violation_once) {
    Peer peer;
    peer.start({});
    peer.feed(std::string("\xc0\x00", 2));  // a CBOR tag
    BOOST_TEST(peer.log == Strings{"violation"});
    BOOST_TEST(peer.violation == "undecodable bytes from the agent: CBOR tags are not accepted");
    peer.agent(proto::kSuccess, 0);
    BOOST_TEST(peer.log.size() == 1u);
}

// The owner ends a broken conversation with ended(): its channels still
// hear of it (a dial waiting for its answer is refused).
BOOST_AUTO_TEST_CASE(ended_after_a_violation_still_tells_the_channels) {
    Peer peer;
    peer.start({});
    TestChannel channel("c", peer.log);
    peer.mux.dial(trace_target(), &channel);
    peer.feed(std::string("\xc0\x00", 2));
    peer.mux.ended("the agent is broken");
    BOOST_TEST(peer.log == (Strings{"violation", "c refused: the agent is broken"}));
}

BOOST_AUTO_TEST_CASE(rule_breaking_packets_are_violations) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {packet(proto::kData, 5, "x"), "a packet for connection 5 never opened"},
        {packet(9, 1), "unknown packet type 9"},
        {packet(proto::kEof, 1), "packet type 7 without its extension"},
        {packet(proto::kSuccess, 0), "an answer to a SETUP that is not pending"},
        {packet(proto::kSuccess, 1), "SUCCESS/ERROR for connection 1 that asked nothing"},
        {packet(proto::kNewConnection, 2), "NEW_CONNECTION 2 to a dialler"},
    };
    for (const auto& [bytes, what] : cases) {
        Peer peer;
        peer.start({});
        TestChannel channel("c", peer.log);
        peer.open(channel);
        peer.feed(bytes);
        BOOST_TEST(peer.violation == what);
    }
}

BOOST_AUTO_TEST_CASE(reentrant_close_from_data_and_send_from_opened) {
    Peer peer;
    peer.start(kAllExtensions);
    TestChannel channel("c", peer.log);
    uint64_t id = 0;
    channel.on_opened = [&] { peer.mux.send(id, "hi"); };
    channel.on_data = [&] { peer.mux.close(id); };
    channel.take_limit = 1;
    id = peer.mux.dial(trace_target(), &channel);
    peer.take_bytes();
    // Several packets in one receive: the later ones find the connection closing.
    peer.feed(packet(proto::kSuccess, id) + packet(proto::kData, id, "abc") + packet(proto::kData, id, "def") +
              packet(proto::kEof, id));
    const auto packets = peer.take_packets();
    BOOST_REQUIRE_EQUAL(packets.size(), 2u);
    check_packet(packets[0], proto::kData, id);
    BOOST_TEST(packets[0].payload == "hi");
    check_packet(packets[1], proto::kCloseConnection, id);
    BOOST_TEST(peer.log == (Strings{"c opened", "c data 3 took 1"}));
    peer.mux.resume(id);
    BOOST_TEST(peer.log.size() == 2u);
    BOOST_TEST(peer.violation.empty());
}

BOOST_AUTO_TEST_CASE(reentrant_send_from_send_ready) {
    OpenConnection open({});
    // Plain references: a C++17 lambda cannot capture structured bindings.
    Peer& peer = open.peer;
    TestChannel& channel = open.channel;
    const uint64_t id = open.id;
    const std::string big(300 * 1024, 's');
    channel.on_send_ready = [&] { peer.mux.send(id, big); };
    peer.mux.send(id, big);
    peer.take_bytes();  // send_ready, which fills the queue again and waits once more
    BOOST_TEST(peer.log == Strings{"c ready"});
    BOOST_TEST(peer.mux.pending_output().size() > ForwardMux::kOutputBound);
    peer.take_bytes();
    BOOST_TEST(peer.log == (Strings{"c ready", "c ready"}));
}

BOOST_AUTO_TEST_CASE(byte_by_byte_gives_the_same_events) {
    const std::string script = packet(proto::kSuccess, 0) + packet(proto::kSuccess, 1) +
                               packet(proto::kData, 1, "pong\n") + packet(proto::kData, 1, std::string(1000, 'z')) +
                               packet(proto::kCloseConnection, 1);
    Strings logs[2];
    std::string outputs[2];
    for (int bytewise = 0; bytewise < 2; ++bytewise) {
        Peer peer;
        TestChannel channel("c", peer.log);
        peer.mux.setup({});
        peer.mux.dial(trace_target(), &channel);
        if (bytewise) {
            for (char c : script) peer.feed(std::string(1, c));
        } else {
            peer.feed(script);
        }
        logs[bytewise] = peer.log;
        outputs[bytewise] = peer.take_bytes();
    }
    BOOST_TEST(logs[0] == logs[1]);
    BOOST_TEST(outputs[0] == outputs[1]);
    BOOST_TEST(logs[0].size() == 5u);
}

BOOST_AUTO_TEST_CASE(send_ready_is_round_robin) {
    Peer peer;
    peer.start({});
    const std::string big(300 * 1024, 'f');
    std::vector<std::unique_ptr<TestChannel>> channels;
    std::vector<uint64_t> ids;
    for (int i = 1; i <= 3; ++i) {
        channels.push_back(std::make_unique<TestChannel>("c" + std::to_string(i), peer.log));
        ids.push_back(peer.open(*channels.back()));
    }
    for (size_t i = 0; i < ids.size(); ++i) {
        // Always more than fits: each round one channel fills the queue.
        channels[i]->on_send_ready = [&peer, &big, id = ids[i]] { peer.mux.send(id, big); };
        peer.mux.send(ids[i], big);
    }
    for (int round = 0; round < 4; ++round) peer.take_bytes();
    BOOST_TEST(peer.log == (Strings{"c1 ready", "c2 ready", "c3 ready", "c1 ready"}));
}

BOOST_AUTO_TEST_SUITE_END()
