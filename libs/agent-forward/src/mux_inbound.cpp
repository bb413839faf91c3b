// The agent's side: its packets, and the delivery of what they carry to the
// channels (kept data, eof, closed) with credit granted back.
#include <algorithm>
#include <string>

#include "mux_state.hpp"

namespace csh::agent_forward {

void ForwardMux::State::taken(Connection& c, uint64_t id, size_t n) {
    c.taken += n;
    if (!window || c.taken < kGrantThreshold || c.phase != Phase::kOpen || c.agent_closed) return;
    put(proto::kWindowAdjust, id, proto::encode_window(c.taken));
    c.recv_credit += c.taken;
    c.taken = 0;
}

void ForwardMux::State::deliver(uint64_t id) {
    Connection* c = find(id);
    if (c == nullptr || c->delivering || c->paused || c->channel == nullptr) return;
    if (!c->inbound.empty()) {
        // Moved out: the channel may close (erase) the connection inside data().
        std::string bytes = std::move(c->inbound);
        c->inbound.clear();
        c->delivering = true;
        const size_t took = std::min(c->channel->data(bytes), bytes.size());
        if (finished || (c = find(id)) == nullptr) return;
        c->delivering = false;
        if (c->phase != Phase::kOpen) return;  // the owner closed it inside data()
        taken(*c, id, took);
        if (took < bytes.size()) {
            c->inbound.insert(0, bytes, took, std::string::npos);
            c->paused = true;
            return;
        }
        if (!c->inbound.empty()) return;  // more came meanwhile; offered at the next resume or packet
    }
    if (c->agent_eof && !c->eof_told) {
        c->eof_told = true;
        c->channel->eof();
        if (finished || (c = find(id)) == nullptr) return;
    }
    if (c->agent_closed && c->inbound.empty()) {
        MuxChannel* channel = c->channel;
        connections.erase(id);
        channel->closed("closed by the agent");
    }
}

bool ForwardMux::State::inbound_blocked() const {
    if (window) return false;
    for (const auto& [id, c] : connections) {
        if (c.inbound.size() > kInboundBound) return true;
    }
    return false;
}

void ForwardMux::State::process() {
    proto::Packet packet;
    while (!finished && !inbound_blocked()) {
        const auto status = decoder.next(packet);
        if (status == proto::PacketDecoder::Status::kNeedMore) return;
        if (status == proto::PacketDecoder::Status::kError) {
            violation(std::string("undecodable bytes from the agent: ") + proto::describe(decoder.error()));
            return;
        }
        handle(packet);
        announce_output();
    }
}

void ForwardMux::State::handle(proto::Packet& packet) {
    const uint64_t id = packet.connection_id;
    if (packet.type > proto::kWindowAdjust) return violation("unknown packet type " + std::to_string(packet.type));
    if (packet.type == proto::kSetup || packet.type == proto::kNoMoreConnections) {
        return violation("the agent sent packet type " + std::to_string(packet.type));
    }
    if ((packet.type == proto::kEof && !eof) || (packet.type == proto::kWindowAdjust && !window)) {
        return violation("packet type " + std::to_string(packet.type) + " without its extension");
    }
    if (id == 0) {
        if (packet.type == proto::kSuccess || packet.type == proto::kError) return handle_setup_answer(packet);
        return violation("packet type " + std::to_string(packet.type) + " for connection 0");
    }
    if (!is_ready) return violation("a connection packet before SETUP was answered");
    if (packet.type == proto::kNewConnection) return handle_new_connection(packet);
    Connection* c = find(id);
    if (c == nullptr) {
        // Late packets for a connection already finished here (a CLOSE that
        // crossed the agent's, a dial closed before it was answered).
        if (id > highest_id) return violation("a packet for connection " + std::to_string(id) + " never opened");
        if (packet.type == proto::kCloseConnection) put(proto::kError, id);
        return;
    }
    switch (packet.type) {
        case proto::kData: return handle_data(*c, packet);
        case proto::kSuccess:
        case proto::kError: return handle_answer(*c, packet);
        case proto::kCloseConnection: return handle_close(*c, id);
        case proto::kWindowAdjust: return handle_window(*c, packet);
        default: break;  // kEof: the only type left
    }
    if (c->phase == Phase::kClosing) return;
    if (c->phase != Phase::kOpen || c->agent_eof || c->agent_closed) {
        return violation("EOF for connection " + std::to_string(id) + " that is not open");
    }
    c->agent_eof = true;
    deliver(id);
}

void ForwardMux::State::handle_setup_answer(const proto::Packet& packet) {
    if (!setup_pending) return violation("an answer to a SETUP that is not pending");
    setup_pending = false;
    proto::SetupReply reply;
    if (packet.type == proto::kError) {
        if (events.setup_done) events.setup_done(false, reply);
        return;
    }
    if (!packet.payload_null) {
        const auto error = proto::decode_setup_reply(packet.payload, reply);
        if (error != proto::DecodeError::kNone) return violation(std::string("SETUP reply: ") + proto::describe(error));
    }
    extensions = reply.extensions;
    const auto accepted = [&](const char* name) {
        return std::find(extensions.begin(), extensions.end(), name) != extensions.end();
    };
    window = accepted(proto::kExtensionWindow);
    eof = accepted(proto::kExtensionEof);
    is_ready = true;
    if (events.setup_done) events.setup_done(true, reply);
}

void ForwardMux::State::handle_new_connection(const proto::Packet& packet) {
    const uint64_t id = packet.connection_id;
    if (!listener || id <= highest_id) {
        return violation("NEW_CONNECTION " + std::to_string(id) + (listener ? " reuses an id" : " to a dialler"));
    }
    proto::NewConnectionPayload from;
    const auto error = proto::decode_new_connection(packet.payload, from);
    if (error != proto::DecodeError::kNone) return violation(std::string("NEW_CONNECTION: ") + proto::describe(error));
    highest_id = id;
    connections[id].phase = Phase::kIncoming;
    if (!events.incoming) {
        connections.erase(id);
        put(proto::kError, id);
        return;
    }
    events.incoming(id, from);
}

void ForwardMux::State::handle_data(Connection& c, proto::Packet& packet) {
    const uint64_t id = packet.connection_id;
    if (c.phase == Phase::kClosing) return;  // sent before the agent saw our CLOSE
    if (c.phase != Phase::kOpen || c.agent_eof || c.agent_closed) {
        return violation("DATA for connection " + std::to_string(id) + " that is not open");
    }
    if (window) {
        if (packet.payload.size() > c.recv_credit) return violation("DATA beyond the credit of connection " + std::to_string(id));
        c.recv_credit -= packet.payload.size();
    }
    if (c.paused || c.delivering || !c.inbound.empty()) {
        c.inbound += packet.payload;
        return;
    }
    c.delivering = true;
    const size_t took = std::min(c.channel->data(packet.payload), packet.payload.size());
    Connection* now = find(id);
    if (finished || now == nullptr) return;
    now->delivering = false;
    if (now->phase != Phase::kOpen) return;  // the owner closed it inside data()
    taken(*now, id, took);
    if (took < packet.payload.size()) {
        now->inbound.insert(0, packet.payload, took, std::string::npos);
        now->paused = true;
    } else if (!now->inbound.empty()) {
        deliver(id);  // the channel called resume() from inside data()
    }
}

void ForwardMux::State::handle_answer(Connection& c, const proto::Packet& packet) {
    const uint64_t id = packet.connection_id;
    if (c.phase == Phase::kClosing) {
        connections.erase(id);
        return;
    }
    if (c.phase != Phase::kDialing) {
        return violation("SUCCESS/ERROR for connection " + std::to_string(id) + " that asked nothing");
    }
    MuxChannel* channel = c.channel;
    if (packet.type == proto::kError) {
        connections.erase(id);
        channel->refused("the agent could not connect");
        return;
    }
    c.phase = Phase::kOpen;
    c.send_credit = c.recv_credit = proto::kInitialWindow;
    channel->opened();
}

void ForwardMux::State::handle_close(Connection& c, uint64_t id) {
    if (c.phase == Phase::kClosing) {
        // Crossed ours: the agent's ack of ours will find nothing here.
        put(proto::kSuccess, id);
        connections.erase(id);
        return;
    }
    if (c.phase != Phase::kOpen || c.agent_closed) {
        return violation("CLOSE_CONNECTION for connection " + std::to_string(id) + " that is not open");
    }
    put(proto::kSuccess, id);
    c.agent_closed = true;
    c.wants_send = false;
    deliver(id);
}

void ForwardMux::State::handle_window(Connection& c, const proto::Packet& packet) {
    const uint64_t id = packet.connection_id;
    if (c.phase == Phase::kClosing) return;
    uint64_t credit = 0;
    if (c.phase != Phase::kOpen || proto::decode_window(packet.payload, credit) != proto::DecodeError::kNone) {
        return violation("a malformed or misplaced WINDOW_ADJUST for connection " + std::to_string(id));
    }
    c.send_credit += credit;
    tell_ready(id);
}

}  // namespace csh::agent_forward
