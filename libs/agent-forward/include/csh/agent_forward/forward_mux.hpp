// The gateway's side of one conversation with an agent `forward-server`
// process (docs/design/forwarding.md §1, §5, §6): the SETUP, the forwarded
// connections multiplexed over the agent's stdin and stdout, their state
// (opening -> open -> closing, waiting for the agent's acknowledgement ->
// gone), the extensions, and the flow control that keeps one slow
// connection from stalling the others.
//
// It does no I/O. A driver (a backend's agent exec) feeds it the agent's
// stdout bytes (receive) and writes what it produces to the agent's stdin
// (pending_output/output_written); each forwarded connection has a
// MuxChannel that hears its events. Kubernetes will drive it from its exec
// stream exactly as Docker does.
//
// Threading: not thread-safe; every call, and every callback it makes,
// happens on the owner's strand. Callbacks may call back into the mux
// (send, close, resume, ...); the mux never touches a channel after it
// called refused() or closed() on it, or after the owner called close().
//
// Flow control:
// - to the agent: with csh.window each connection may have at most its
//   credit outstanding (256 KiB at open, granted back by WINDOW_ADJUST);
//   all connections together queue at most kOutputBound bytes here. A short
//   send() is followed by MuxChannel::send_ready() once there is room.
// - from the agent: DATA a channel does not take is kept for it and offered
//   again after resume(id); with csh.window the agent is granted credit back
//   as the channel takes bytes. Without csh.window (the original agent) a
//   connection that holds more than kInboundBound makes receive() stop
//   taking bytes until it drains (the original's head-of-line blocking, but
//   with bounded memory).
#pragma once

#include <csh/agent/forward_protocol.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace csh::agent_forward {

namespace proto = csh::agent::forward;

// One forwarded connection's owner (a backend's forwarding channel).
class MuxChannel {
public:
    virtual ~MuxChannel() = default;
    // The agent connected to the target (dial). Not called for accept().
    virtual void opened() = 0;
    // The connection never opened: the agent answered ERROR, or the
    // conversation ended first. Nothing else is called after it.
    virtual void refused(const std::string& reason) = 0;
    // Bytes from the agent; returns how many were taken. After a short take
    // the rest is kept and offered again after ForwardMux::resume(id).
    virtual size_t data(std::string_view bytes) = 0;
    // The agent sends no more bytes for this connection (csh.eof), after all
    // its data was taken.
    virtual void eof() = 0;
    // The connection is over from the agent's side (its CLOSE_CONNECTION
    // after all its data was taken, or the end of the conversation). Nothing
    // else is called after it; the owner must not close() it.
    virtual void closed(const std::string& reason) = 0;
    // send() takes bytes again after a short one.
    virtual void send_ready() = 0;
};

class ForwardMux {
public:
    // All connections' bytes queued for the agent's stdin, at most (a send
    // that would pass it takes less).
    static constexpr size_t kOutputBound = 256 * 1024;
    // DATA packets the mux writes carry at most this much.
    static constexpr size_t kMaxDataPacket = 32 * 1024;
    // Without csh.window: bytes one connection may hold before receive()
    // stops taking the agent's output.
    static constexpr size_t kInboundBound = 1024 * 1024;
    // With csh.window: credit is granted back once this much was taken.
    static constexpr uint64_t kGrantThreshold = proto::kInitialWindow / 4;

    struct Events {
        // pending_output() went from empty to not empty.
        std::function<void()> output_ready;
        // The agent answered SETUP: `ok` with its reply (extensions accepted,
        // bound port, pid; all empty from the original agent), or not.
        std::function<void(bool ok, const proto::SetupReply& reply)> setup_done;
        // receive() takes bytes again after it took fewer than offered.
        std::function<void()> input_ready;
        // A listener's agent accepted a connection (PORT_FORWARD): answer it
        // with accept() or reject().
        std::function<void(uint64_t id, const proto::NewConnectionPayload& from)> incoming;
        // The agent broke the protocol (undecodable bytes, a packet no rule
        // allows); `what` says how. The mux reads nothing more; the owner
        // ends the conversation with ended() (not from inside this call),
        // which still tells the channels.
        std::function<void(const std::string& what)> violation;
    };

    explicit ForwardMux(Events events);
    ~ForwardMux();
    ForwardMux(const ForwardMux&) = delete;
    ForwardMux& operator=(const ForwardMux&) = delete;

    // ---- the owner's side -------------------------------------------------

    // Queues SETUP; our extensions (csh.window, csh.eof, csh.listen-info) are
    // added to `setup.extensions`. Call once, first.
    void setup(proto::SetupPacket setup);
    // SETUP was answered with SUCCESS.
    bool ready() const;
    // An extension the agent accepted (proto::kExtension*).
    bool has_extension(std::string_view name) const;

    // PORT_DIAL: asks the agent to connect to `target`; `channel` hears
    // opened() or refused(). May be called before SETUP is answered (the
    // packets queue behind it). Returns the connection's id.
    uint64_t dial(const proto::NewConnectionPayload& target, MuxChannel* channel);
    // PORT_FORWARD: answers incoming(id): SUCCESS, and `channel` hears the
    // connection's events from now on (no opened()).
    void accept(uint64_t id, MuxChannel* channel);
    // PORT_FORWARD: answers incoming(id) with ERROR (the agent closes it).
    void reject(uint64_t id);

    // Bytes to the agent for connection `id`; returns how many were taken
    // (all of them, unless credit or the output bound ran out: then the
    // channel hears send_ready() later). Bytes for a connection that is not
    // open are taken and dropped.
    size_t send(uint64_t id, std::string_view bytes);
    // No more bytes from the gateway's side: EOF with csh.eof; without it
    // the original protocol has no half-close, so the connection is closed
    // (CLOSE_CONNECTION) and the channel hears closed().
    void send_eof(uint64_t id);
    // The gateway's side is gone: CLOSE_CONNECTION (the agent acknowledges;
    // a connection still dialing is closed too). The channel hears nothing
    // more.
    void close(uint64_t id);
    // The channel takes data again after a short MuxChannel::data().
    void resume(uint64_t id);
    // NO_MORE_CONNECTIONS: the agent stops accepting or dialing and exits
    // once its connections are closed.
    void no_more();

    // ---- the driver's side ------------------------------------------------

    // Bytes of the agent's stdout. Returns how many were taken; when fewer
    // than offered, offer the rest after Events::input_ready.
    size_t receive(std::string_view bytes);
    // Bytes for the agent's stdin, in order; output_written(n) drops the first n.
    std::string_view pending_output() const;
    void output_written(size_t n);
    // The conversation is over (the agent exited, the stream failed):
    // connections still dialing hear refused(), open ones closed(), and a
    // SETUP not answered yet fails. Nothing is called after it.
    void ended(const std::string& reason);

    // Connections known (dialing, open or closing).
    size_t connections() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace csh::agent_forward
