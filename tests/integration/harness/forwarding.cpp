#include "harness/forwarding.hpp"

#include "harness/probes.hpp"

#include "file_contents.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace csh::test {

namespace {
sockaddr_in loopback(int port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    return a;
}
}  // namespace

int listen_loopback(int& port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a = loopback(0);
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 64) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot listen on loopback");
    }
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    return fd;
}

int closed_port() {
    int port = 0;
    ::close(listen_loopback(port));
    return port;
}

int connect_loopback(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a = loopback(port);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

EchoServer::EchoServer() : fd_(listen_loopback(port_)) {
    acceptor_ = std::thread([this] {
        for (;;) {
            const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (c < 0) return;  // closed by the destructor
            accepted_++;
            workers_.emplace_back([c] {
                char buffer[65536];
                for (;;) {
                    const ssize_t n = ::recv(c, buffer, sizeof buffer, 0);
                    if (n <= 0) break;
                    for (ssize_t off = 0; off < n;) {
                        const ssize_t w = ::send(c, buffer + off, static_cast<size_t>(n - off), MSG_NOSIGNAL);
                        if (w <= 0) break;
                        off += w;
                    }
                }
                ::close(c);
            });
        }
    });
}

EchoServer::~EchoServer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    acceptor_.join();
    for (auto& w : workers_) w.join();
}

std::string round_trip(int port, const std::string& data) {
    const int fd = connect_loopback(port);
    if (fd < 0) return "connect failed";
    std::thread writer([fd, &data] {
        for (size_t off = 0; off < data.size();) {
            const ssize_t w = ::send(fd, data.data() + off, std::min<size_t>(data.size() - off, 65536), MSG_NOSIGNAL);
            if (w <= 0) break;
            off += static_cast<size_t>(w);
        }
        ::shutdown(fd, SHUT_WR);
    });
    std::string got;
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        got.append(buffer, static_cast<size_t>(n));
    }
    writer.join();
    ::close(fd);
    return got;
}

bool accepts(int port) {
    const int fd = connect_loopback(port);
    if (fd < 0) return false;
    ::close(fd);
    return true;
}

namespace {
std::vector<std::string> forward_options(int local_port, const std::string& target, bool with_command) {
    std::vector<std::string> options{"-o", "ExitOnForwardFailure=yes", "-L", std::to_string(local_port) + ":" + target};
    if (!with_command) options.insert(options.begin(), "-N");
    return options;
}
}  // namespace

LocalForward::LocalForward(const Gateway& gateway, const SshLogin& login, const std::string& target,
                           const std::vector<std::string>& command)
    : local_port(closed_port()),
      client(ssh_command(gateway, login, forward_options(local_port, target, !command.empty()), command),
             ssh_env(gateway, login)) {
    ready = eventually([&] { return accepts(local_port); }, std::chrono::seconds(60));
}

namespace {
std::vector<std::string> remote_options(int remote_port, int target_port, std::vector<std::string> options) {
    // LogLevel INFO: the client says which port it was allocated.
    for (const char* o : {"-N", "-o", "ExitOnForwardFailure=yes", "-o", "LogLevel=INFO", "-R"}) options.push_back(o);
    options.push_back("127.0.0.1:" + std::to_string(remote_port) + ":127.0.0.1:" + std::to_string(target_port));
    return options;
}
}  // namespace

RemoteForward::RemoteForward(const Gateway& gateway, const SshLogin& login, int remote_port, int target_port,
                             const std::vector<std::string>& options)
    : port(remote_port),
      stderr_file(std::filesystem::temp_directory_path() / ("remote-forward-" + random_hex(8) + ".err")),
      client(ssh_command(gateway, login, remote_options(remote_port, target_port, options), {}),
             ssh_env(gateway, login), stderr_file.string()) {
    ready = eventually(
        [&] {
            if (port == 0) {
                std::smatch m;
                const std::string err = stderr_text();
                if (!std::regex_search(err, m, std::regex("Allocated port ([0-9]+) for remote forward"))) return false;
                port = std::stoi(m[1]);
            }
            return accepts(port);
        },
        std::chrono::seconds(60));
}

RemoteForward::~RemoteForward() {
    std::error_code ignored;
    std::filesystem::remove(stderr_file, ignored);
}

std::string RemoteForward::stderr_text() const {
    std::error_code ignored;
    return std::filesystem::exists(stderr_file, ignored) ? read_file(stderr_file) : std::string();
}

ClientAgent::ClientAgent()
    : socket((dir.path() / "agent.sock").string()), agent({"ssh-agent", "-D", "-a", socket}) {
    if (!eventually([&] { return std::filesystem::exists(socket); }, std::chrono::seconds(10))) {
        throw std::runtime_error("ssh-agent did not make its socket " + socket);
    }
    const auto key = make_key(dir.path(), "forwarded");
    const auto added = run({"ssh-add", key.string()}, "", {{"SSH_AUTH_SOCK", socket}});
    if (added.exit_code != 0) throw std::runtime_error("ssh-add failed: " + added.err);
    std::istringstream fields(run({"ssh-keygen", "-lf", key.string() + ".pub"}).out);
    std::string bits;
    fields >> bits >> fingerprint;
    if (fingerprint.empty()) throw std::runtime_error("ssh-keygen printed no fingerprint");
}

namespace {
std::filesystem::path sshd_config(const std::filesystem::path& dir, int port, const std::filesystem::path& keys) {
    const auto host_key = make_key(dir, "sshd_host_key");
    const auto config = dir / "sshd_config";
    write_file(config, "ListenAddress 127.0.0.1:" + std::to_string(port) + "\nHostKey " + host_key.string() +
                           "\nPidFile none\nAuthorizedKeysFile " + keys.string() +
                           // The key file is under /tmp, which StrictModes would refuse.
                           "\nStrictModes no\nPubkeyAuthentication yes\nPasswordAuthentication no\n"
                           "KbdInteractiveAuthentication no\nUsePAM no\nPermitRootLogin prohibit-password\n"
                           "UseDNS no\nPrintMotd no\nPrintLastLog no\nLogLevel VERBOSE\n");
    // Run as root, sshd wants its privilege separation directory.
    if (::geteuid() == 0) std::filesystem::create_directories("/run/sshd");
    return config;
}
}  // namespace

TestSshd::TestSshd(const std::filesystem::path& authorized_keys)
    : port(closed_port()),
      log_file(dir.path() / "sshd.log"),
      server({"/usr/sbin/sshd", "-D", "-e", "-f", sshd_config(dir.path(), port, authorized_keys).string()}, {},
             log_file.string()) {
    if (!eventually([&] { return accepts(port); }, std::chrono::seconds(20))) {
        throw std::runtime_error("sshd did not listen on port " + std::to_string(port) + ": " + log());
    }
}

std::string TestSshd::log() const {
    std::error_code ignored;
    return std::filesystem::exists(log_file, ignored) ? read_file(log_file) : std::string();
}

}  // namespace csh::test
