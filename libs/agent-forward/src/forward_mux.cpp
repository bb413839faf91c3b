// The owner's and the driver's calls, and send_ready()'s round-robin.
#include "csh/agent_forward/forward_mux.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "mux_state.hpp"

namespace csh::agent_forward {

void ForwardMux::State::offer_room() {
    std::vector<uint64_t> waiting;
    for (const auto& [id, c] : connections) {
        if (c.wants_send) waiting.push_back(id);
    }
    const auto first_after = std::upper_bound(waiting.begin(), waiting.end(), ready_cursor);
    std::rotate(waiting.begin(), first_after, waiting.end());
    for (const uint64_t id : waiting) {
        if (finished || room() == 0) return;
        tell_ready(id);
    }
}

void ForwardMux::State::tell_ready(uint64_t id) {
    Connection* c = find(id);
    if (c == nullptr || !c->wants_send || !can_send(*c)) return;
    c->wants_send = false;
    ready_cursor = id;
    c->channel->send_ready();
}

MuxChannel* ForwardMux::State::start_close(Connection& c, uint64_t id) {
    MuxChannel* channel = c.channel;
    c.phase = Phase::kClosing;
    c.channel = nullptr;
    c.inbound.clear();
    c.wants_send = false;
    put(proto::kCloseConnection, id);
    announce_output();
    return channel;
}

ForwardMux::ForwardMux(Events events) : state_(std::make_unique<State>(std::move(events))) {}
ForwardMux::~ForwardMux() = default;

void ForwardMux::setup(proto::SetupPacket setup) {
    State& s = *state_;
    if (s.setup_sent || s.finished) return;
    s.setup_sent = s.setup_pending = true;
    s.listener = setup.connection_type != proto::kPortDial && setup.connection_type != proto::kSocketDial;
    setup.has_extensions = true;
    for (const char* name : {proto::kExtensionWindow, proto::kExtensionEof, proto::kExtensionListenInfo}) {
        if (std::find(setup.extensions.begin(), setup.extensions.end(), name) == setup.extensions.end()) {
            setup.extensions.emplace_back(name);
        }
    }
    s.put(proto::kSetup, 0, proto::encode_setup(setup));
    s.announce_output();
}

bool ForwardMux::ready() const { return state_->is_ready; }

bool ForwardMux::has_extension(std::string_view name) const {
    const auto& list = state_->extensions;
    return std::find(list.begin(), list.end(), name) != list.end();
}

uint64_t ForwardMux::dial(const proto::NewConnectionPayload& target, MuxChannel* channel) {
    State& s = *state_;
    const uint64_t id = s.next_id++;
    if (s.finished) {
        channel->refused("the conversation with the agent is over");
        return id;
    }
    s.highest_id = std::max(s.highest_id, id);
    Connection& c = s.connections[id];
    c.channel = channel;
    s.put(proto::kNewConnection, id, proto::encode_new_connection(target));
    s.announce_output();
    return id;
}

void ForwardMux::accept(uint64_t id, MuxChannel* channel) {
    State& s = *state_;
    Connection* c = s.find(id);
    if (s.finished || c == nullptr || c->phase != Phase::kIncoming) return;
    c->phase = Phase::kOpen;
    c->channel = channel;
    c->send_credit = c->recv_credit = proto::kInitialWindow;
    s.put(proto::kSuccess, id);
    s.announce_output();
}

void ForwardMux::reject(uint64_t id) {
    State& s = *state_;
    Connection* c = s.find(id);
    if (s.finished || c == nullptr || c->phase != Phase::kIncoming) return;
    s.connections.erase(id);
    s.put(proto::kError, id);
    s.announce_output();
}

size_t ForwardMux::send(uint64_t id, std::string_view bytes) {
    State& s = *state_;
    Connection* c = s.find(id);
    if (s.finished || c == nullptr || c->phase != Phase::kOpen || c->agent_closed || c->eof_sent) {
        return bytes.size();
    }
    size_t allowed = std::min(bytes.size(), s.room());
    if (s.window) allowed = static_cast<size_t>(std::min<uint64_t>(allowed, c->send_credit));
    for (size_t done = 0; done < allowed; done += kMaxDataPacket) {
        s.put(proto::kData, id, bytes.substr(done, std::min(kMaxDataPacket, allowed - done)));
    }
    if (s.window) c->send_credit -= allowed;
    if (allowed < bytes.size()) c->wants_send = true;
    s.announce_output();
    return allowed;
}

void ForwardMux::send_eof(uint64_t id) {
    State& s = *state_;
    Connection* c = s.find(id);
    if (s.finished || c == nullptr || c->phase != Phase::kOpen || c->agent_closed || c->eof_sent) return;
    if (s.eof) {
        c->eof_sent = true;
        c->wants_send = false;
        s.put(proto::kEof, id);
        s.announce_output();
        return;
    }
    // No half-close in the original protocol: the whole connection ends.
    MuxChannel* channel = s.start_close(*c, id);
    if (!s.finished) channel->closed("EOF ends the connection (the agent has no csh.eof)");
}

void ForwardMux::close(uint64_t id) {
    State& s = *state_;
    Connection* c = s.find(id);
    if (s.finished || c == nullptr || c->phase == Phase::kClosing) return;
    if (c->phase == Phase::kIncoming) return reject(id);
    if (c->agent_closed) {
        // The agent closed it and has our ack: it knows the id no more.
        s.connections.erase(id);
        return;
    }
    s.start_close(*c, id);
}

void ForwardMux::resume(uint64_t id) {
    State& s = *state_;
    Connection* c = s.find(id);
    if (s.finished || c == nullptr) return;
    c->paused = false;
    const bool was_blocked = s.inbound_blocked();
    s.deliver(id);
    s.announce_output();
    if (!was_blocked || s.finished || s.inbound_blocked()) return;
    // Packets the decoder held while receive() was stopped.
    s.process();
    if (s.finished || s.inbound_blocked() || !s.input_wanted) return;
    s.input_wanted = false;
    if (s.events.input_ready) s.events.input_ready();
}

void ForwardMux::no_more() {
    State& s = *state_;
    if (s.finished) return;
    s.put(proto::kNoMoreConnections, 0);
    s.announce_output();
}

size_t ForwardMux::receive(std::string_view bytes) {
    State& s = *state_;
    if (s.finished) return bytes.size();
    if (s.inbound_blocked()) {
        s.input_wanted = true;
        return 0;
    }
    s.decoder.feed(bytes.data(), bytes.size());
    s.process();
    return bytes.size();
}

std::string_view ForwardMux::pending_output() const {
    return std::string_view(state_->out).substr(state_->out_start);
}

void ForwardMux::output_written(size_t n) {
    State& s = *state_;
    s.out_start += std::min(n, s.queued());
    if (s.out_start == s.out.size()) {
        s.out.clear();
        s.out_start = 0;
        s.output_told = false;
    } else if (s.out_start >= kOutputBound) {
        s.out.erase(0, s.out_start);
        s.out_start = 0;
    }
    if (!s.finished && s.queued() <= kOutputBound / 2) s.offer_room();
}

void ForwardMux::ended(const std::string& reason) {
    State& s = *state_;
    if (s.ended) return;
    s.ended = true;
    s.finished = true;
    // Calls back into the mux from here find it finished and do nothing.
    auto connections = std::move(s.connections);
    s.connections.clear();
    if (s.setup_pending && s.events.setup_done) s.events.setup_done(false, proto::SetupReply{});
    for (auto& [id, c] : connections) {
        if (c.channel == nullptr || c.phase == Phase::kClosing) continue;
        if (c.phase == Phase::kDialing) {
            c.channel->refused(reason);
        } else {
            c.channel->closed(reason);
        }
    }
}

size_t ForwardMux::connections() const { return state_->connections.size(); }

}  // namespace csh::agent_forward
