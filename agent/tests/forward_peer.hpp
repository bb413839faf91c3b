// The gateway's side of forward-server for tests: starts the static agent in
// `forward-server` mode with pipes on stdin/stdout/stderr (as docker exec
// does), writes packets and reads the agent's packets with the codec under
// test, keeping every byte the agent wrote for trace comparisons. Also small
// socket servers and clients for the agent to dial and to accept.
#pragma once

#include <csh/agent/forward_codec.hpp>

#include <netinet/in.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace csh::agent::test {

using namespace std::chrono_literals;
namespace fw = csh::agent::forward;

class ForwardPeer {
public:
    // `env`: extra NAME=VALUE entries over the test's environment.
    explicit ForwardPeer(const std::vector<std::string>& env = {});
    ~ForwardPeer();  // SIGKILL if still running
    ForwardPeer(const ForwardPeer&) = delete;
    ForwardPeer& operator=(const ForwardPeer&) = delete;

    pid_t pid() const { return pid_; }
    void send_bytes(const std::string& bytes);
    void send(std::uint64_t type, std::uint64_t id, const std::string& payload = {});
    void send_setup(const fw::SetupPacket& setup);
    void send_new_connection(std::uint64_t id, const fw::NewConnectionPayload& target);
    // The next packet from the agent; nullopt after `timeout` or at EOF.
    std::optional<fw::Packet> next(std::chrono::milliseconds timeout = 5s);
    // Like next(), but fails the test when nothing comes.
    fw::Packet expect(std::chrono::milliseconds timeout = 5s);
    // DATA payloads of connection `id` until `size` bytes came (other packets
    // are an error); what came.
    std::string read_data(std::uint64_t id, std::size_t size, std::chrono::milliseconds timeout = 10s);
    const std::string& raw_output() const { return raw_; }
    std::string stderr_text();
    void close_stdin();
    // The exit code, or -1 when it has not exited within `timeout`
    // (-2 - signal when it was killed by one).
    int wait_exit(std::chrono::milliseconds timeout = 5s);

private:
    bool fill(std::chrono::milliseconds timeout);
    void drain_stderr();

    pid_t pid_ = -1;
    int stdin_fd_ = -1;
    int stdout_fd_ = -1;
    int stderr_fd_ = -1;
    fw::PacketDecoder decoder_;
    std::string raw_;
    std::string err_;
};

// A server for the agent to dial, on a thread. kEcho echoes each connection
// until EOF; kPingPong reads "ping\n", answers "pong\n" and closes;
// kSource writes `source_bytes` and then echoes until EOF.
class TestServer {
public:
    enum class Mode { kEcho, kPingPong, kSource };
    // TCP on 127.0.0.1 with a kernel-chosen port when `unix_path` is empty.
    explicit TestServer(Mode mode, const std::string& unix_path = {}, std::size_t source_bytes = 0);
    ~TestServer();
    TestServer(const TestServer&) = delete;
    TestServer& operator=(const TestServer&) = delete;
    std::uint16_t port() const { return port_; }
    int accepted() const { return accepted_.load(); }
    // kSource: bytes the kernel took so far.
    std::size_t sent() const { return sent_.load(); }

private:
    void serve();
    void handle(int fd);

    Mode mode_;
    std::size_t source_bytes_;
    int listen_fd_ = -1;
    int stop_pipe_[2] = {-1, -1};
    std::uint16_t port_ = 0;
    std::string unix_path_;
    std::atomic<int> accepted_{0};
    std::atomic<std::size_t> sent_{0};
    std::thread thread_;
};

// What the forward-server tests share: a PORT_DIAL SETUP (with our
// extensions or as the original gateway sends it), a TCP target, one
// expected packet, and DATA both ways through connection `id` whose far end
// echoes.
fw::SetupPacket dial_setup(bool extensions = false);
fw::NewConnectionPayload tcp_target(const std::string& host, std::uint16_t port);
void expect_packet(ForwardPeer& agent, std::uint64_t type, std::uint64_t id);
std::string random_bytes(std::size_t size);
void check_echo(ForwardPeer& agent, std::uint64_t id, std::size_t size);

// A blocking client socket (TCP to 127.0.0.1:port, or a unix path), with a
// receive timeout so a test cannot hang on it.
int connect_tcp(std::uint16_t port);
// The same without failing the test: -1 when nothing accepts.
int try_connect_tcp(std::uint16_t port);
// 127.0.0.1:port (0: let the kernel choose when binding).
sockaddr_in loopback_address(std::uint16_t port);
// Binds `fd` to 127.0.0.1:port; the port bound, 0 when that failed.
std::uint16_t bind_loopback(int fd, std::uint16_t port = 0);
int connect_unix(const std::string& path);
void write_all_or_fail(int fd, const std::string& data);
std::string read_exactly(int fd, std::size_t size);
// A TCP port on 127.0.0.1 where nothing listens (bound, then closed).
std::uint16_t refused_port();

}  // namespace csh::agent::test
