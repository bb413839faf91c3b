// The forward-server loop (docs/design/forwarding.md §1, §5, §6 "Agent"): one
// thread, epoll on stdin, stdout, the listener and every forwarded socket,
// all non-blocking. One process serves exactly one SETUP, as ContainerSSH's
// agent: either dialling (PORT_DIAL, ids chosen by the gateway) or listening
// (PORT_FORWARD, ids chosen here).
#pragma once

#include <csh/agent/forward_codec.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "byte_queue.hpp"
#include "dns_lookup.hpp"
#include "sockets.hpp"

namespace csh::agent::forward {

// Back-pressure bounds: sockets are not read while stdout holds more than
// this, and stdin is not read while any socket's queue holds more (without
// csh.window, the original's head-of-line blocking, but bounded; with it the
// gateway never sends that much).
inline constexpr std::size_t kStdoutBound = 1024 * 1024;
inline constexpr std::size_t kSocketQueueBound = 1024 * 1024;
// Largest DATA payload we send: what the original's io.Copy buffers fill.
inline constexpr std::size_t kMaxDataChunk = 32 * 1024;
// csh.window: credit is granted back once this much has been passed on.
inline constexpr std::uint64_t kWindowGrantThreshold = kInitialWindow / 4;
// A dial (its DNS lookup and all addresses of the name together) that takes
// longer fails.
inline constexpr std::int64_t kDialTimeoutMs = 30000;

struct Connection {
    enum class State {
        kResolving,  // PORT_DIAL: DNS lookup in progress (`lookup`), SUCCESS/ERROR not yet sent
        kDialing,    // PORT_DIAL: connect in progress, SUCCESS/ERROR not yet sent
        kOpening,    // PORT_FORWARD: NEW_CONNECTION sent, the gateway's answer pending
        kOpen,
        kClosing,  // CLOSE_CONNECTION sent, waiting for the acknowledgement
    };
    State state = State::kDialing;
    int fd = -1;
    bool in_epoll = false;
    std::uint32_t events = 0;  // registered with epoll while in_epoll
    std::string target;        // for messages
    std::unique_ptr<DnsLookup> lookup;  // kResolving: its socket has this connection's token
    std::vector<Address> candidates;
    std::size_t next_candidate = 0;
    std::int64_t deadline_ms = 0;
    ByteQueue to_socket;
    bool socket_eof = false;  // the socket's read side ended (csh.eof: EOF sent)
    bool peer_eof = false;    // the gateway sent EOF: shut down writing once drained
    bool write_shut = false;
    std::uint64_t send_credit = 0;  // csh.window: DATA bytes we may still send
    std::uint64_t passed_on = 0;    // csh.window: written to the socket, not yet granted
};

class ForwardServer {
public:
    ForwardServer() = default;
    ForwardServer(const ForwardServer&) = delete;
    ForwardServer& operator=(const ForwardServer&) = delete;
    ~ForwardServer();

    // Serves stdin/stdout until stdin ends, NO_MORE_CONNECTIONS with every
    // connection closed, or a fatal error. Returns the exit code.
    int run();

private:
    // server.cpp: the loop, stdin, stdout, SETUP and the listener.
    bool start();
    void loop();
    void read_stdin();
    void flush_stdout();
    void finish_flush();
    void handle_packet(Packet& packet);
    void handle_setup(const Packet& packet);
    bool listen_x11(std::string& why);
    void accept_connections();
    void stop_listening();
    void update_interest();
    void watch(int fd, std::uint64_t token, std::uint32_t events, bool& in_epoll, std::uint32_t& registered);
    void fail(int exit_code);
    void send(std::uint64_t type, std::uint64_t id, std::string_view payload = {});
    void close_all();
    std::int64_t next_timeout_ms() const;

    // connections.cpp: one forwarded connection's packets and socket events.
    void handle_new_connection(const Packet& packet);
    void handle_connection_packet(Packet& packet);
    void on_socket_event(std::uint64_t id, std::uint32_t events);
    void resolution_progress(std::uint64_t id);
    void try_next_candidate(std::uint64_t id);
    void dial_finished(std::uint64_t id, int error);
    void read_socket(Connection& connection, std::uint64_t id);
    void write_socket(Connection& connection, std::uint64_t id);
    void maybe_shut_write(Connection& connection, std::uint64_t id);
    void close_from_here(Connection& connection, std::uint64_t id);
    void drop(std::uint64_t id);
    void close_socket(Connection& connection);
    void expire_dials();
    bool may_read_socket(const Connection& connection) const;

    int epoll_ = -1;
    int signal_fd_ = -1;
    int stop_signal_ = 0;  // SIGTERM, SIGINT or SIGHUP that ended the loop
    bool signal_in_epoll_ = false;
    std::uint32_t signal_events_ = 0;
    bool stdin_in_epoll_ = false;
    std::uint32_t stdin_events_ = 0;
    bool stdout_in_epoll_ = false;
    std::uint32_t stdout_events_ = 0;
    bool listener_in_epoll_ = false;
    std::uint32_t listener_events_ = 0;

    PacketDecoder decoder_;
    ByteQueue stdout_;
    bool done_ = false;
    int exit_code_ = 0;
    bool flush_at_exit_ = true;

    bool setup_done_ = false;
    SetupPacket setup_;
    bool dialling_ = false;
    bool ext_listen_info_ = false;
    bool ext_eof_ = false;
    bool ext_window_ = false;
    Listener listener_;
    unsigned display_ = 0;  // X11: the display listened for
    bool no_more_ = false;

    std::map<std::uint64_t, Connection> connections_;
    std::uint64_t next_id_ = 1;
};

// Ids at and above this are epoll tokens of our own (stdin, stdout, the
// listener); the gateway's NEW_CONNECTION with such an id is refused. Below
// it a token is a connection's id, for its socket or, while it resolves, its
// DNS lookup's socket (one at a time).
inline constexpr std::uint64_t kFirstReservedId = std::uint64_t{1} << 63;

// X11 displays: N listens on kX11BasePort + N; the first is sshd's default
// X11DisplayOffset and ContainerSSH's fixed display.
inline constexpr unsigned kX11BasePort = 6000;
inline constexpr unsigned kFirstX11Display = 10;
inline constexpr unsigned kLastX11Display = 99;

std::int64_t monotonic_ms();

}  // namespace csh::agent::forward
