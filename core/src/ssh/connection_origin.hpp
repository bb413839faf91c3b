// Where a connection comes from, as the rest of the gateway sees it: the
// peer's addresses, or those of a PROXY protocol header a trusted proxy sent
// (ssh.proxyProtocolAllowedCIDRs). The remote address goes into the log
// labels, the webhooks' remoteAddress, the audit connect event, the GeoIP
// country and SSH_CLIENT / SSH_CONNECTION.
#pragma once

#include <string>

namespace csh::ssh {

struct ConnectionOrigin {
    std::string remote_address;  // "ip:port", "[ip6]:port"
    std::string local_address;   // the address the client connected to
    // The proxy that sent a header and what the header was ("v2 PROXY
    // TCP4"); both empty for a direct connection.
    std::string proxy_address;
    std::string proxy_header;
    // PROXY protocol is on and the peer is not a trusted proxy: a connection
    // that begins with a header is refused (SSH_PROXY_PROTOCOL_UNTRUSTED)
    // before libssh reads it.
    bool refuse_proxy_header = false;
};

}  // namespace csh::ssh
