// Typed access to the fields of a queued libssh message.
//
// libssh 0.10 marks these accessors deprecated in favour of its synchronous
// server callbacks, which must answer before returning. Our auth and backend
// plugins answer asynchronously, so we keep the message and reply later; this
// file is the only place that uses the deprecated accessors.
#pragma once

#include <libssh/libssh.h>
#include <libssh/server.h>

#include <string>

namespace csh::ssh::msg {

std::string password(ssh_message m);
ssh_key public_key(ssh_message m);                    // borrowed from the message
enum ssh_publickey_state_e public_key_state(ssh_message m);

struct PtyFields {
    std::string term;
    int columns = 0;
    int rows = 0;
    int width_px = 0;
    int height_px = 0;
};
PtyFields pty(ssh_message m);  // also the fields of window-change

std::string str_or_empty(const char* s);

}  // namespace csh::ssh::msg
