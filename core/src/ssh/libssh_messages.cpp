#include "ssh/libssh_messages.hpp"

#include "ssh/channel_request.hpp"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

namespace csh::ssh::msg {

std::string str_or_empty(const char* s) { return s != nullptr ? std::string(s) : std::string(); }

std::string password(ssh_message m) { return str_or_empty(ssh_message_auth_password(m)); }

ssh_key public_key(ssh_message m) { return ssh_message_auth_pubkey(m); }

enum ssh_publickey_state_e public_key_state(ssh_message m) { return ssh_message_auth_publickey_state(m); }

PtyFields pty(ssh_message m) {
    PtyFields f;
    f.term = str_or_empty(ssh_message_channel_request_pty_term(m));
    f.columns = ssh_message_channel_request_pty_width(m);
    f.rows = ssh_message_channel_request_pty_height(m);
    f.width_px = ssh_message_channel_request_pty_pxwidth(m);
    f.height_px = ssh_message_channel_request_pty_pxheight(m);
    return f;
}

}  // namespace csh::ssh::msg

namespace csh::ssh {

ChannelRequest decode_channel_request(ssh_message m) {
    ChannelRequest r;
    const auto fill_size = [&r](const msg::PtyFields& f) {
        r.term = f.term;
        r.columns = static_cast<uint32_t>(f.columns);
        r.rows = static_cast<uint32_t>(f.rows);
        r.width_px = static_cast<uint32_t>(f.width_px);
        r.height_px = static_cast<uint32_t>(f.height_px);
    };
    switch (ssh_message_subtype(m)) {
        case SSH_CHANNEL_REQUEST_PTY:
            r.kind = RequestKind::pty;
            r.name = "pty-req";
            fill_size(msg::pty(m));
            break;
        case SSH_CHANNEL_REQUEST_ENV:
            r.kind = RequestKind::env;
            r.name = "env";
            r.key = msg::str_or_empty(ssh_message_channel_request_env_name(m));
            r.value = msg::str_or_empty(ssh_message_channel_request_env_value(m));
            break;
        case SSH_CHANNEL_REQUEST_EXEC:
            r.kind = RequestKind::exec;
            r.name = "exec";
            r.key = msg::str_or_empty(ssh_message_channel_request_command(m));
            break;
        case SSH_CHANNEL_REQUEST_SHELL:
            r.kind = RequestKind::shell;
            r.name = "shell";
            break;
        case SSH_CHANNEL_REQUEST_SUBSYSTEM:
            r.kind = RequestKind::subsystem;
            r.name = "subsystem";
            r.key = msg::str_or_empty(ssh_message_channel_request_subsystem(m));
            break;
        case SSH_CHANNEL_REQUEST_WINDOW_CHANGE:
            r.kind = RequestKind::window_change;
            r.name = "window-change";
            fill_size(msg::pty(m));
            break;
        case SSH_CHANNEL_REQUEST_X11:
            r.kind = RequestKind::x11;
            r.name = "x11-req";
// libssh 0.10 marks these accessors deprecated and has no others for x11-req.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
            r.single_connection = ssh_message_channel_request_x11_single_connection(m) != 0;
            r.key = msg::str_or_empty(ssh_message_channel_request_x11_auth_protocol(m));
            r.value = msg::str_or_empty(ssh_message_channel_request_x11_auth_cookie(m));
            r.screen = static_cast<uint32_t>(ssh_message_channel_request_x11_screen_number(m));
#pragma GCC diagnostic pop
            break;
        default:
            r.name = "unknown";
            break;
    }
    return r;
}

ChannelRequest signal_request(std::string name) {
    ChannelRequest r;
    r.kind = RequestKind::signal;
    r.name = "signal";
    r.key = std::move(name);
    return r;
}

}  // namespace csh::ssh

#pragma GCC diagnostic pop
