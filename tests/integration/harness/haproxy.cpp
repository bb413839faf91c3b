#include "harness/haproxy.hpp"

#include "file_contents.hpp"
#include "harness/loopback.hpp"
#include "harness/probes.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace csh::test {

namespace {

// Whether something listens on 127.0.0.1:port, read from /proc/net/tcp so
// the check opens no connection through HAProxy to a gateway (which would
// show in the gateway's log as a client without a header).
bool listening(int port) {
    std::ifstream table("/proc/net/tcp");
    std::string line;
    char wanted[32];
    std::snprintf(wanted, sizeof wanted, "0100007F:%04X", port);
    while (std::getline(table, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, state;
        fields >> slot >> local >> remote >> state;
        if (local == wanted && state == "0A") return true;
    }
    return false;
}

std::vector<std::string> split_csv(const std::string& line) {
    std::vector<std::string> fields;
    std::string field;
    std::istringstream in(line);
    while (std::getline(in, field, ',')) fields.push_back(field);
    return fields;
}

// One command on HAProxy's stats socket; its whole answer (the socket closes
// after it in non-interactive mode).
std::string stats_command(const std::string& socket_path, const std::string& command) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (fd < 0 || socket_path.size() >= sizeof address.sun_path) {
        if (fd >= 0) ::close(fd);
        throw std::runtime_error("cannot use the stats socket " + socket_path);
    }
    std::memcpy(address.sun_path, socket_path.c_str(), socket_path.size() + 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        return {};  // not up yet: no state rather than an exception
    }
    const std::string line = command + "\n";
    std::string answer;
    if (::send(fd, line.data(), line.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(line.size())) {
        closed_within(fd, std::chrono::seconds(5), &answer);
    }
    ::close(fd);
    return answer;
}

}  // namespace

Haproxy::Haproxy(const std::vector<HaproxyServer>& servers, const HaproxyOptions& options)
    : port_(free_loopback_port()), server_count_(servers.size()) {
    std::size_t with_health = 0;
    for (const auto& s : servers) with_health += s.health_port != 0 ? 1 : 0;
    if (servers.empty() || (with_health != 0 && with_health != servers.size())) {
        throw std::invalid_argument("Haproxy: give at least one server, and a health port for all or none");
    }
    std::ostringstream config;
    config << "global\n"
              "  maxconn 512\n"
              "  stats socket " << dir_.file("stats.sock") << " mode 600 level admin\n"
              "defaults\n"
              "  mode tcp\n"
              "  timeout connect 2s\n"
              "  timeout client 2m\n"
              "  timeout server 2m\n"
              "  timeout check 2s\n"
              // A server that refuses the connection (a replica draining or
              // killed, before its checks took it out) costs a retry on
              // another server, not the client's login: every retry is
              // redispatched (the default, -1, tries the same server until
              // the last retry).
              "  retries 3\n"
              "  option redispatch 1\n"
              "frontend ssh\n"
              "  bind 127.0.0.1:" << port_ << "\n"
              "  default_backend gateways\n"
              "backend gateways\n"
              "  balance roundrobin\n";
    if (with_health != 0) {
        config << "  option httpchk\n"
                  "  http-check send meth GET uri /\n"
                  "  http-check expect status 200\n";
    }
    config << "  default-server inter " << options.check_interval.count() << "ms fall " << options.fall << " rise "
           << options.rise << "\n";
    for (std::size_t i = 0; i < servers.size(); ++i) {
        config << "  server s" << i << " 127.0.0.1:" << servers[i].port << " " << options.send_proxy << " check";
        if (servers[i].health_port != 0) config << " port " << servers[i].health_port;
        config << "\n";
    }
    const auto file = dir_.file("haproxy.cfg");
    std::ofstream(file) << config.str();
    // setpriv gives HAProxy a parent-death signal, as the harness does for the
    // gateway: a test that crashes or times out leaves no proxy behind. -db
    // keeps it in the foreground, its alerts on stderr.
    child_ = std::make_unique<Child>(
        std::vector<std::string>{"setpriv", "--pdeathsig", "KILL", "--", "/usr/sbin/haproxy", "-db", "-f", file},
        std::map<std::string, std::string>{}, dir_.file("haproxy.stderr"));
    if (!eventually([&] { return listening(port_) || child_->exited().has_value(); }, std::chrono::seconds(10)) ||
        child_->exited().has_value()) {
        throw std::runtime_error("HAProxy did not start:\n" + stderr_text() + "\n--- its configuration ---\n" +
                                 config.str());
    }
}

Haproxy::~Haproxy() { child_->stop(SIGTERM, std::chrono::seconds(10)); }

std::map<std::string, Haproxy::ServerState> Haproxy::servers() {
    std::map<std::string, ServerState> states;
    std::istringstream answer(stats_command(dir_.file("stats.sock"), "show stat"));
    std::string line;
    std::vector<std::string> header;
    std::size_t name = 0, status = 0, check_status = 0, proxy = 0;
    while (std::getline(answer, line)) {
        if (line.rfind("# ", 0) == 0) {
            header = split_csv(line.substr(2));
            for (std::size_t i = 0; i < header.size(); ++i) {
                if (header[i] == "pxname") proxy = i;
                if (header[i] == "svname") name = i;
                if (header[i] == "status") status = i;
                if (header[i] == "check_status") check_status = i;
            }
            continue;
        }
        const auto fields = split_csv(line);
        if (header.empty() || fields.size() <= std::max({name, status, check_status, proxy})) continue;
        if (fields[proxy] != "gateways" || fields[name] == "BACKEND") continue;
        // A check under way is shown as "* L7OK": the last result is what counts.
        std::string check = fields[check_status];
        if (check.rfind("* ", 0) == 0) check.erase(0, 2);
        states[fields[name]] = {fields[status], check};
    }
    return states;
}

bool Haproxy::wait_all_up(std::chrono::seconds patience) {
    return eventually(
        [&] {
            const auto states = servers();
            if (states.size() != server_count_) return false;
            for (const auto& [name, state] : states) {
                if (state.status != "UP" || (state.check_status != "L7OK" && state.check_status != "L4OK")) return false;
            }
            return true;
        },
        patience);
}

std::string Haproxy::stderr_text() const {
    try {
        return read_file(dir_.file("haproxy.stderr"));
    } catch (const std::exception&) {
        return {};
    }
}

}  // namespace csh::test
