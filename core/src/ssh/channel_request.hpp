// A session channel request as the core sees it once libssh's message has
// been decoded: what was asked, with its fields copied. Every request of a
// session channel (signals included) becomes one of these before anything
// else looks at it, so the request path has one seam where the security
// policy, the log, the audit stream and the metrics see the same thing
// (SessionChannel::submit).
#pragma once

#include <libssh/libssh.h>
#include <libssh/server.h>

#include <cstdint>
#include <string>

namespace csh::ssh {

enum class RequestKind { pty, env, exec, shell, subsystem, window_change, signal, x11, unknown };

// exec, shell and subsystem start the session's program.
inline bool starts_program(RequestKind kind) {
    return kind == RequestKind::exec || kind == RequestKind::shell || kind == RequestKind::subsystem;
}

struct ChannelRequest {
    RequestKind kind = RequestKind::unknown;
    // The request's name on the wire ("pty-req", "exec", ...).
    std::string name;
    // pty-req and window-change.
    std::string term;
    uint32_t columns = 0;
    uint32_t rows = 0;
    uint32_t width_px = 0;
    uint32_t height_px = 0;
    // env: name and value; exec: the command; subsystem: its name; signal:
    // the name without "SIG".
    std::string key;
    std::string value;
    // x11-req: the authentication protocol and cookie are key and value.
    bool single_connection = false;
    uint32_t screen = 0;
};

// Decodes a queued SSH_REQUEST_CHANNEL message (libssh_messages.cpp).
ChannelRequest decode_channel_request(ssh_message message);
// A signal the client sent (libssh reports those through a callback).
ChannelRequest signal_request(std::string name);

}  // namespace csh::ssh
