// The forward-server codec (libs/agent-protocol/include/csh/agent/
// forward_codec.hpp) as the agent reads its stdin and a backend reads the
// agent's stdout: any bytes, cut anywhere. The first input byte chooses the
// cut; the packets and the verdict must not depend on it. Every packet's
// nested payload is decoded as SETUP, NEW_CONNECTION, SETUP reply and window
// credit, and every decoded packet must re-encode to bytes that decode to the
// same packet.
#include <csh/agent/forward_codec.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using namespace csh::agent::forward;

struct Result {
    std::vector<Packet> packets;
    DecodeError error = DecodeError::kNone;
};

Result decode(const std::string& stream, std::size_t piece) {
    PacketDecoder decoder;
    Result result;
    std::size_t fed = 0;
    for (;;) {
        Packet packet;
        const auto status = decoder.next(packet);
        if (status == PacketDecoder::Status::kPacket) {
            result.packets.push_back(std::move(packet));
            continue;
        }
        if (status == PacketDecoder::Status::kError) {
            result.error = decoder.error();
            return result;
        }
        if (fed == stream.size()) return result;
        const std::size_t take = piece == 0 ? stream.size() - fed : std::min(piece, stream.size() - fed);
        decoder.feed(stream.data() + fed, take);
        fed += take;
    }
}

bool same(const Packet& a, const Packet& b) {
    return a.type == b.type && a.connection_id == b.connection_id && a.payload_null == b.payload_null &&
           a.payload == b.payload;
}

void check_nested(const std::string& payload) {
    SetupPacket setup;
    if (decode_setup(payload, setup) == DecodeError::kNone) {
        SetupPacket again;
        if (decode_setup(encode_setup(setup), again) != DecodeError::kNone) std::abort();
        if (again.bind_host != setup.bind_host || again.extensions != setup.extensions) std::abort();
    }
    NewConnectionPayload connection;
    if (decode_new_connection(payload, connection) == DecodeError::kNone) {
        NewConnectionPayload again;
        if (decode_new_connection(encode_new_connection(connection), again) != DecodeError::kNone) std::abort();
        if (again.connected_address != connection.connected_address) std::abort();
    }
    SetupReply reply;
    (void)decode_setup_reply(payload, reply);
    std::uint64_t credit = 0;
    (void)decode_window(payload, credit);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const std::size_t piece = data[0] % 32;  // 0: all at once
    const std::string stream(reinterpret_cast<const char*>(data + 1), size - 1);
    const Result whole = decode(stream, 0);
    const Result cut = decode(stream, piece);
    if (whole.error != cut.error || whole.packets.size() != cut.packets.size()) std::abort();
    for (std::size_t i = 0; i < whole.packets.size(); ++i) {
        const Packet& packet = whole.packets[i];
        if (!same(packet, cut.packets[i])) std::abort();
        if (packet.payload.size() > kMaxItemBytes) std::abort();
        std::string encoded;
        append_packet(encoded, packet);
        Packet back;
        if (decode_packet(encoded.data(), encoded.size(), back) != DecodeError::kNone) std::abort();
        // An empty non-DATA payload is written as null: only that may change.
        if (back.type != packet.type || back.connection_id != packet.connection_id || back.payload != packet.payload) {
            std::abort();
        }
        if (!packet.payload_null) check_nested(packet.payload);
    }
    return 0;
}
