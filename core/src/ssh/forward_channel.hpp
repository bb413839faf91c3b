// One forwarding channel, opened either way:
//  - by the client (direct-tcpip: ssh -L, -D, -W): the backend connects to
//    the target (forward_open), then the client's open is accepted. It is
//    answered when the backend completes, without holding the connection's
//    message queue (a dial may take seconds, and `-D` opens many at once).
//  - by the server (forwarded-tcpip: ssh -R): a listener of the backend
//    accepted a connection (open_to_client); service() opens the channel
//    towards the client and re-polls the open (libssh answers SSH_AGAIN
//    until the client confirms), then answers the backend.
// From then on both are the same: bytes move both ways with the flow
// control of session channels, EOF travels either way, and either side may
// close. Until the channel is open it exists only here: a backend that
// writes before is told to wait (write takes 0) and hears output_ready
// once the client can take bytes.
//
// libssh callbacks only record what happened (or hand data over); anything
// that may end the channel runs in service(), outside libssh's call stack.
#pragma once

#include "ssh/channel_flow.hpp"
#include "ssh/message.hpp"

#include <containerssh/plugin.h>

#include <libssh/callbacks.h>
#include <libssh/libssh.h>

#include <memory>
#include <string>
#include <string_view>

// The ABI's opaque host-side forwarding channel handle.
struct csh_forward_host {};

namespace csh::log {
class Logger;
}

namespace csh::ssh {

class Connection;

class ForwardChannel : public csh_forward_host {
public:
    // direct-tcpip: what the client asked for (read from the channel-open
    // message). forwarded-tcpip: the listener's address (as the client sent
    // it in tcpip-forward) and bound port, and the accepted peer.
    struct Target {
        std::string host;
        uint32_t port = 0;
        std::string originator_host;
        uint32_t originator_port = 0;
    };

    // `open` is the client's channel-open message, answered by opened() or
    // refused(); the connection's queue is not held meanwhile.
    ForwardChannel(Connection& connection, uint64_t id, Target target, Message open);
    // Opened by the server for `backend`, a listener's connection of `kind`
    // (TCPIP: forwarded-tcpip, AGENT: auth-agent@openssh.com): `done` hears
    // whether the client accepted (the connection's end counts as a refusal).
    ForwardChannel(Connection& connection, uint64_t id, Target target, csh_forward_kind kind,
                   csh_backend_forward* backend, csh_forward_open_completion done);
    ~ForwardChannel();
    ForwardChannel(const ForwardChannel&) = delete;
    ForwardChannel& operator=(const ForwardChannel&) = delete;

    uint64_t id() const { return id_; }
    const Target& target() const { return target_; }
    const csh_forward_channel_params& params() const { return params_; }
    // The SSH channel type, as metrics and logs name it.
    const char* type() const {
        if (!to_client_) return "direct-tcpip";
        if (kind_ == CSH_FORWARD_AGENT) return "auth-agent@openssh.com";
        return kind_ == CSH_FORWARD_X11 ? "x11" : "forwarded-tcpip";
    }
    // Still waiting for the backend's forward_open, or for the client's confirmation.
    bool opening() const { return open_.operator bool() || offered_ != nullptr; }

    // Answers an open_to_client: CSH_OK with `host` (the channel's host side), or a failure.
    static void answer(csh_forward_open_completion done, csh_status status, std::string_view reason,
                       ForwardChannel* host = nullptr);

    // The backend connected: accept the client's open and start moving bytes.
    // Returns false (and closes `backend`) when the reply could not be sent.
    bool opened(csh_backend_forward* backend);
    // The backend (or the core) refused: the client's open fails.
    void refused();

    // Housekeeping after each pump; returns true when the channel is over.
    bool service();
    // The backend waits for output room that has appeared since service() looked.
    bool output_room_unannounced() const;
    // The connection is going away: tell the backend, drop the channel, and
    // free an unanswered open (before libssh's session is freed).
    void connection_closing();

private:
    static const csh_forward_host_api& host_api();
    ForwardChannel(Connection& connection, uint64_t id, Target target);
    // Starts moving bytes on an open channel.
    void attach(ssh_channel channel, csh_backend_forward* backend);
    // Opens (or re-polls the open of) a server-opened channel.
    void open_to_client();

    static int on_data(ssh_session, ssh_channel, void* data, uint32_t len, int is_stderr, void* self);
    static void on_eof(ssh_session, ssh_channel, void* self);
    static void on_close(ssh_session, ssh_channel, void* self);

    static log::Logger* logger_of(csh_forward_host* host);
    static size_t api_write(csh_forward_host* host, csh_bytes data);
    static void api_data_ready(csh_forward_host* host);
    static void api_eof(csh_forward_host* host);
    static void api_closed(csh_forward_host* host);

    size_t offer(const char* data, size_t size);
    void deliver_eof_when_drained();
    void close_channel(const char* by);
    void release();
    void audit_io(uint64_t stream, const char* data, size_t size);

    Connection& connection_;
    uint64_t id_;
    Target target_;
    Message open_;
    // Server-opened: the backend's channel and its answer until the client confirms.
    bool to_client_ = false;
    csh_forward_kind kind_ = CSH_FORWARD_TCPIP;
    csh_backend_forward* offered_ = nullptr;
    csh_forward_open_completion done_{};
    ssh_channel opening_channel_ = nullptr;
    csh_forward_channel_params params_{};
    ssh_channel channel_ = nullptr;
    csh_backend_forward* backend_ = nullptr;
    ssh_channel_callbacks_struct callbacks_{};

    ChannelInput input_;
    ChannelOutput output_;
    bool eof_sent_ = false;
    bool counted_open_ = false;  // in the open-channels gauge
    bool remote_closed_ = false;
    bool backend_closed_ = false;
    bool finished_ = false;
};

}  // namespace csh::ssh
