// SSH_CLIENT and SSH_CONNECTION as OpenSSH's sshd sets them for every
// session: "ip port localport" and "ip port localip localport", addresses
// without brackets. The core sends both to the backend as env requests
// before the session's program starts (SessionChannel::forward).
#pragma once

#include <string>

namespace csh::ssh {

struct ClientEnv {
    std::string ssh_client;
    std::string ssh_connection;
};

// `remote` and `local` as the server formats addresses: "1.2.3.4:22" or "[::1]:22".
ClientEnv client_env(const std::string& remote, const std::string& local);

}  // namespace csh::ssh
