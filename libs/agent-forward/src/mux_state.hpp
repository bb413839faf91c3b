// ForwardMux's state, shared by forward_mux.cpp (the owner's calls) and
// mux_inbound.cpp (the agent's packets). Private to the library.
#pragma once

#include <csh/agent/forward_codec.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "csh/agent_forward/forward_mux.hpp"

namespace csh::agent_forward {

namespace detail {

struct Connection {
    enum class Phase {
        kDialing,   // our NEW_CONNECTION sent, the agent's SUCCESS/ERROR pending
        kIncoming,  // the agent's NEW_CONNECTION, our accept/reject pending
        kOpen,
        kClosing,   // our CLOSE_CONNECTION sent, the agent's answer pending
    };
    Phase phase = Phase::kDialing;
    MuxChannel* channel = nullptr;
    std::string inbound;        // the agent's DATA the channel has not taken yet
    bool paused = false;        // a short data(): nothing is offered until resume()
    bool delivering = false;    // inside data() for this connection
    bool agent_eof = false;     // EOF came; eof() once `inbound` was taken
    bool eof_told = false;
    bool agent_closed = false;  // CLOSE came (and was acked); closed() once drained
    bool eof_sent = false;      // our EOF went out: later send() is dropped
    bool wants_send = false;    // a short send(): send_ready() owed
    uint64_t send_credit = 0;   // csh.window: DATA we may still send
    uint64_t recv_credit = 0;   // csh.window: DATA the agent may still send
    uint64_t taken = 0;         // csh.window: taken by the channel, not granted yet
};

}  // namespace detail

using Connection = detail::Connection;
using Phase = Connection::Phase;

struct ForwardMux::State {
    Events events;
    std::string out;          // pending_output() is out[out_start..]
    size_t out_start = 0;
    bool output_told = false; // output_ready() said since the queue was last empty
    proto::PacketDecoder decoder;
    bool input_wanted = false;  // receive() took less: input_ready() owed
    bool finished = false;      // ended() or a violation: nothing is called any more...
    bool ended = false;         // ...but ended() still tells the channels, once
    bool setup_sent = false;
    bool setup_pending = false;
    bool is_ready = false;
    bool listener = false;      // PORT_FORWARD/X11: the agent chooses the ids
    bool window = false;
    bool eof = false;
    std::vector<std::string> extensions;
    std::map<uint64_t, Connection> connections;
    uint64_t next_id = 1;       // our next dial id
    uint64_t highest_id = 0;    // highest id either side used: lower unknown ids are late, not violations
    uint64_t ready_cursor = 0;  // the last id that heard send_ready(): the next round starts after it

    explicit State(Events e) : events(std::move(e)) {}

    size_t queued() const { return out.size() - out_start; }
    size_t room() const { return queued() < kOutputBound ? kOutputBound - queued() : 0; }

    Connection* find(uint64_t id) {
        const auto found = connections.find(id);
        return found == connections.end() ? nullptr : &found->second;
    }

    void put(uint64_t type, uint64_t id, std::string_view payload = {}) {
        proto::append_packet(out, type, id, payload, payload.empty() && type != proto::kData);
    }

    // Called where the state is consistent: the driver may write (and call
    // output_written) from inside output_ready.
    void announce_output() {
        if (finished || output_told || queued() == 0) return;
        output_told = true;
        if (events.output_ready) events.output_ready();
    }

    void violation(const std::string& what) {
        if (finished) return;
        finished = true;
        // The owner ends the conversation from here; ended() then tells the channels.
        if (events.violation) events.violation(what);
    }

    bool can_send(const Connection& c) const {
        return c.phase == Phase::kOpen && !c.agent_closed && !c.eof_sent && room() > 0 &&
               (!window || c.send_credit > 0);
    }

    // send_ready() to every waiting channel that can send now, round-robin
    // from after the last one served so the lowest ids do not always win.
    void offer_room();
    // send_ready() to connection `id` if it waits and can send now.
    void tell_ready(uint64_t id);

    // The channel took `n` bytes: with csh.window the agent gets them back as
    // credit once a quarter window has been taken.
    void taken(Connection& c, uint64_t id, size_t n);

    // Our CLOSE_CONNECTION: the channel hears nothing more from here (its
    // owner, returned, is told by the caller when it must be).
    MuxChannel* start_close(Connection& c, uint64_t id);

    // Offers kept data, then a pending eof()/closed(), unless paused.
    void deliver(uint64_t id);

    bool inbound_blocked() const;

    // Handles the decoder's packets while no connection holds too much.
    void process();

    void handle(proto::Packet& packet);
    void handle_setup_answer(const proto::Packet& packet);
    void handle_new_connection(const proto::Packet& packet);
    void handle_data(Connection& c, proto::Packet& packet);
    void handle_answer(Connection& c, const proto::Packet& packet);
    void handle_close(Connection& c, uint64_t id);
    void handle_window(Connection& c, const proto::Packet& packet);
};

}  // namespace csh::agent_forward
