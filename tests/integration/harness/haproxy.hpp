// Debian's HAProxy in TCP mode in front of one or more gateways on loopback,
// as operators run it: each server gets a PROXY protocol header
// (send-proxy-v2 or send-proxy), is health-checked, and a connection a server
// refuses is retried on another one (retries, option redispatch).
#pragma once

#include "process.hpp"
#include "temp_dir.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace csh::test {

struct HaproxyServer {
    int port = 0;  // the gateway's SSH port on 127.0.0.1
    // The gateway's health endpoint on 127.0.0.1: checked with an HTTP GET
    // (200 is up), and the checks carry no PROXY header. 0: the check is a
    // TCP connect to `port` that sends the header (a v2 LOCAL one, or a v1
    // TCP4 line), as HAProxy does for a server without a check port.
    int health_port = 0;
};

struct HaproxyOptions {
    std::string send_proxy = "send-proxy-v2";  // or "send-proxy" (version 1)
    std::chrono::milliseconds check_interval{500};
    int fall = 2;  // failed checks before a server is taken out
    int rise = 2;  // passed checks before it is taken back
};

class Haproxy {
public:
    // Servers are named s0, s1, ... in the order given. Either every server
    // has a health port or none has (HTTP checks are set for the whole
    // backend). Waits until HAProxy listens; throws with its stderr if not.
    Haproxy(const std::vector<HaproxyServer>& servers, const HaproxyOptions& options = {});
    ~Haproxy();  // SIGTERM, then SIGKILL after 10 s
    Haproxy(const Haproxy&) = delete;
    Haproxy& operator=(const Haproxy&) = delete;

    // The front end's port on 127.0.0.1, where clients connect.
    int port() const { return port_; }

    struct ServerState {
        std::string status;        // UP, DOWN, "UP 1/2" (going down), NOLB, MAINT, ...
        std::string check_status;  // L7OK, L7STS (bad HTTP status), L4CON (refused), L4OK, INI, ...
    };
    // Each server's state from the stats socket's `show stat`, by name.
    std::map<std::string, ServerState> servers();
    // Waits until every server passed a check (so logins are spread over all
    // of them from the start); false after `patience`.
    bool wait_all_up(std::chrono::seconds patience = std::chrono::seconds(20));
    std::string stderr_text() const;

private:
    TempDir dir_;
    int port_ = 0;
    std::size_t server_count_ = 0;
    std::unique_ptr<Child> child_;
};

}  // namespace csh::test
