#include "forward_peer.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include <cerrno>
#include <cstring>
#include <random>
#include <stdexcept>
#include <system_error>

#include "agent_process.hpp"

namespace csh::agent::test {

namespace {

[[noreturn]] void fail(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
}

void set_receive_timeout(int fd) {
    timeval timeout{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
}

}  // namespace

ForwardPeer::ForwardPeer(const std::vector<std::string>& env) {
    SpawnOptions spawn;
    spawn.env = env;
    spawn.inherit_environment = true;
    // drain_stderr() reads whatever is there each time the test waits for
    // the agent, and must return when nothing is.
    spawn.nonblocking_stderr = true;
    const SpawnedChild child = spawn_with_pipes({agent_binary(), "forward-server"}, spawn);
    pid_ = child.pid;
    stdin_fd_ = child.stdin_fd;
    stdout_fd_ = child.stdout_fd;
    stderr_fd_ = child.stderr_fd;
}

ForwardPeer::~ForwardPeer() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
    for (int fd : {stdin_fd_, stdout_fd_, stderr_fd_}) {
        if (fd >= 0) ::close(fd);
    }
}

void ForwardPeer::send_bytes(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t written = ::write(stdin_fd_, bytes.data() + done, bytes.size() - done);
        if (written < 0) {
            if (errno == EINTR) continue;
            fail("writing to the agent's stdin");
        }
        done += static_cast<std::size_t>(written);
    }
}

void ForwardPeer::send(std::uint64_t type, std::uint64_t id, const std::string& payload) {
    std::string bytes;
    fw::append_packet(bytes, type, id, payload);
    send_bytes(bytes);
}

void ForwardPeer::send_setup(const fw::SetupPacket& setup) { send(fw::kSetup, 0, fw::encode_setup(setup)); }

void ForwardPeer::send_new_connection(std::uint64_t id, const fw::NewConnectionPayload& target) {
    send(fw::kNewConnection, id, fw::encode_new_connection(target));
}

void ForwardPeer::drain_stderr() {
    char buffer[4096];
    while (stderr_fd_ >= 0) {
        const ssize_t got = ::read(stderr_fd_, buffer, sizeof(buffer));
        if (got <= 0) return;
        err_.append(buffer, static_cast<std::size_t>(got));
    }
}

std::string ForwardPeer::stderr_text() {
    drain_stderr();
    return err_;
}

bool ForwardPeer::fill(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        drain_stderr();
        pollfd out{stdout_fd_, POLLIN, 0};
        const int ready = ::poll(&out, 1, std::min(remaining_ms(deadline), 50));
        if (ready < 0 && errno != EINTR) fail("poll");
        if (ready > 0) {
            char buffer[65536];
            const ssize_t got = ::read(stdout_fd_, buffer, sizeof(buffer));
            if (got <= 0) return false;
            raw_.append(buffer, static_cast<std::size_t>(got));
            decoder_.feed(buffer, static_cast<std::size_t>(got));
            return true;
        }
        if (remaining_ms(deadline) == 0) return false;
    }
}

std::optional<fw::Packet> ForwardPeer::next(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        fw::Packet packet;
        const auto status = decoder_.next(packet);
        if (status == fw::PacketDecoder::Status::kPacket) return packet;
        if (status == fw::PacketDecoder::Status::kError) {
            BOOST_FAIL("the agent wrote undecodable bytes: " << fw::describe(decoder_.error()));
        }
        if (!fill(std::chrono::milliseconds(remaining_ms(deadline)))) return std::nullopt;
    }
}

fw::Packet ForwardPeer::expect(std::chrono::milliseconds timeout) {
    auto packet = next(timeout);
    if (!packet) BOOST_FAIL("no packet from the agent; its stderr: " << stderr_text());
    return *packet;
}

std::string ForwardPeer::read_data(std::uint64_t id, std::size_t size, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    std::string data;
    while (data.size() < size) {
        auto packet = next(std::chrono::milliseconds(remaining_ms(deadline)));
        if (!packet) BOOST_FAIL("only " << data.size() << " of " << size << " bytes came; stderr: " << stderr_text());
        if (packet->type != fw::kData || packet->connection_id != id) {
            BOOST_FAIL("expected DATA for " << id << ", got type " << packet->type << " id " << packet->connection_id);
        }
        data += packet->payload;
    }
    return data;
}

void ForwardPeer::close_stdin() {
    if (stdin_fd_ >= 0) ::close(stdin_fd_);
    stdin_fd_ = -1;
}

int ForwardPeer::wait_exit(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        int status = 0;
        const pid_t done = ::waitpid(pid_, &status, WNOHANG);
        if (done == pid_) {
            pid_ = -1;
            drain_stderr();
            if (WIFEXITED(status)) return WEXITSTATUS(status);
            return -2 - WTERMSIG(status);
        }
        if (remaining_ms(deadline) == 0) return -1;
        // Keep reading so a full stdout pipe cannot hold the agent.
        (void)fill(10ms);
    }
}

TestServer::TestServer(Mode mode, const std::string& unix_path, std::size_t source_bytes)
    : mode_(mode), source_bytes_(source_bytes), unix_path_(unix_path) {
    if (::pipe2(stop_pipe_, O_CLOEXEC) != 0) fail("pipe2");
    if (unix_path.empty()) {
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        port_ = bind_loopback(listen_fd_);
        if (port_ == 0) fail("bind");
    } else {
        listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, unix_path.c_str(), sizeof(address.sun_path) - 1);
        if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) fail("bind unix");
    }
    if (::listen(listen_fd_, 16) != 0) fail("listen");
    thread_ = std::thread([this] { serve(); });
}

TestServer::~TestServer() {
    (void)::write(stop_pipe_[1], "x", 1);
    thread_.join();
    ::close(listen_fd_);
    ::close(stop_pipe_[0]);
    ::close(stop_pipe_[1]);
    if (!unix_path_.empty()) ::unlink(unix_path_.c_str());
}

void TestServer::serve() {
    for (;;) {
        pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) continue;
        if (fds[1].revents != 0) return;
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        ++accepted_;
        handle(fd);
        ::close(fd);
    }
}

void TestServer::handle(int fd) {
    set_receive_timeout(fd);
    if (mode_ == Mode::kPingPong) {
        std::string got;
        char c;
        while (got.size() < 5 && ::read(fd, &c, 1) == 1) got.push_back(c);
        if (got == "ping\n") (void)::write(fd, "pong\n", 5);
        return;
    }
    if (mode_ == Mode::kSource) {
        const std::string chunk(65536, 's');
        std::size_t sent = 0;
        while (sent < source_bytes_) {
            const std::size_t take = std::min(chunk.size(), source_bytes_ - sent);
            const ssize_t written = ::send(fd, chunk.data(), take, MSG_NOSIGNAL);
            if (written <= 0) return;
            sent += static_cast<std::size_t>(written);
            sent_ = sent;
        }
    }
    char buffer[65536];
    for (;;) {
        pollfd fds[2] = {{fd, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
        if (::poll(fds, 2, 10000) <= 0 || fds[1].revents != 0) return;
        const ssize_t got = ::read(fd, buffer, sizeof(buffer));
        if (got <= 0) return;
        if (::send(fd, buffer, static_cast<std::size_t>(got), MSG_NOSIGNAL) != got) return;
    }
}

fw::SetupPacket dial_setup(bool extensions) {
    fw::SetupPacket setup;
    setup.connection_type = fw::kPortDial;
    if (extensions) {
        setup.has_extensions = true;
        setup.extensions = {fw::kExtensionListenInfo, fw::kExtensionEof, fw::kExtensionWindow};
    }
    return setup;
}

fw::NewConnectionPayload tcp_target(const std::string& host, std::uint16_t port) {
    fw::NewConnectionPayload target;
    target.protocol = "tcp";
    target.connected_address = host;
    target.connected_port = port;
    target.originator_address = "127.0.0.1";
    target.originator_port = 54321;
    return target;
}

void expect_packet(ForwardPeer& agent, std::uint64_t type, std::uint64_t id) {
    const fw::Packet packet = agent.expect();
    BOOST_TEST(packet.type == type);
    BOOST_TEST(packet.connection_id == id);
    if (packet.type != type) BOOST_TEST_MESSAGE("agent stderr: " << agent.stderr_text());
}

std::string random_bytes(std::size_t size) {
    std::mt19937 random(3);
    std::string data(size, '\0');
    for (auto& byte : data) byte = static_cast<char>(random());
    return data;
}

void check_echo(ForwardPeer& agent, std::uint64_t id, std::size_t size) {
    const std::string data = random_bytes(size);
    for (std::size_t sent = 0; sent < data.size(); sent += 32768) {
        agent.send(fw::kData, id, data.substr(sent, 32768));
    }
    const std::string back = agent.read_data(id, data.size());
    BOOST_TEST((back == data));
}

sockaddr_in loopback_address(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    return address;
}

int try_connect_tcp(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const sockaddr_in address = loopback_address(port);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
        ::close(fd);
        return -1;
    }
    set_receive_timeout(fd);
    return fd;
}

int connect_tcp(std::uint16_t port) {
    const int fd = try_connect_tcp(port);
    if (fd < 0) fail("connect");
    return fd;
}

int connect_unix(const std::string& path) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) fail("connect unix");
    set_receive_timeout(fd);
    return fd;
}

void write_all_or_fail(int fd, const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t written = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
        if (written <= 0) fail("send");
        done += static_cast<std::size_t>(written);
    }
}

std::string read_exactly(int fd, std::size_t size) {
    std::string data(size, '\0');
    std::size_t done = 0;
    while (done < size) {
        const ssize_t got = ::read(fd, data.data() + done, size - done);
        if (got <= 0) break;
        done += static_cast<std::size_t>(got);
    }
    data.resize(done);
    return data;
}

std::uint16_t bind_loopback(int fd, std::uint16_t port) {
    sockaddr_in address = loopback_address(port);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) return 0;
    socklen_t length = sizeof(address);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    return ntohs(address.sin_port);
}

std::uint16_t refused_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const std::uint16_t port = bind_loopback(fd);
    ::close(fd);
    return port;
}

}  // namespace csh::agent::test
