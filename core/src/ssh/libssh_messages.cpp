#include "ssh/libssh_messages.hpp"

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

#pragma GCC diagnostic pop
