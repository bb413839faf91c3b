// ForwardMux against the real agent: `containerssh-agent forward-server` runs
// as a child with one socketpair as its stdin and stdout, and a poll() loop
// here drives the mux, a loopback TCP echo server and test clients.
#include <boost/test/unit_test.hpp>

#include <csh/agent_forward/forward_mux.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent_process.hpp"
#include "forward_peer.hpp"
#include "test_channel.hpp"

namespace proto = csh::agent::forward;
using csh::agent_forward::ForwardMux;
using csh::agent_forward::test::TestChannel;

namespace {

using Clock = std::chrono::steady_clock;

// A non-blocking TCP echo server on 127.0.0.1, served from the test's loop.
// A connection's EOF is passed on (close) once its echo is written.
class EchoServer {
public:
    EchoServer() {
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        BOOST_REQUIRE(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
        socklen_t length = sizeof(address);
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
        port_ = ntohs(address.sin_port);
        BOOST_REQUIRE(::listen(listen_fd_, 16) == 0);
    }
    ~EchoServer() {
        ::close(listen_fd_);
        for (auto& c : connections_) ::close(c.fd);
    }
    uint16_t port() const { return port_; }

    void add_fds(std::vector<pollfd>& fds) const {
        fds.push_back({listen_fd_, POLLIN, 0});
        for (const auto& c : connections_) {
            const bool read = !c.eof && c.pending.size() < kPendingBound;
            fds.push_back({c.fd, static_cast<short>((read ? POLLIN : 0) | (c.pending.empty() ? 0 : POLLOUT)), 0});
        }
    }
    // `fds` from add_fds, after poll().
    void serve(const pollfd* fds) {
        const size_t known = connections_.size();
        if (fds[0].revents != 0) {
            for (int fd; (fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0;) {
                connections_.push_back({fd, {}, false});
            }
        }
        for (size_t i = 0; i < known; ++i) {
            if (fds[i + 1].revents != 0) serve(connections_[i]);
        }
        for (size_t i = connections_.size(); i-- > 0;) {
            Connection& c = connections_[i];
            if (c.eof && c.pending.empty()) {
                ::close(c.fd);
                connections_.erase(connections_.begin() + static_cast<long>(i));
            }
        }
    }

private:
    static constexpr size_t kPendingBound = 1024 * 1024;
    struct Connection {
        int fd;
        std::string pending;
        bool eof;
    };
    void serve(Connection& c) {
        char buffer[65536];
        const ssize_t got = c.eof ? 0 : ::read(c.fd, buffer, sizeof(buffer));
        if (got > 0) c.pending.append(buffer, static_cast<size_t>(got));
        if (got == 0 || (got < 0 && errno != EAGAIN)) c.eof = true;
        const ssize_t written = c.pending.empty() ? 0 : ::send(c.fd, c.pending.data(), c.pending.size(), MSG_NOSIGNAL);
        if (written > 0) c.pending.erase(0, static_cast<size_t>(written));
        if (written < 0 && errno != EAGAIN) c.pending.clear();
    }

    int listen_fd_ = -1;
    uint16_t port_ = 0;
    std::vector<Connection> connections_;
};

// The agent process and the loop that moves bytes between it and the mux.
class AgentDriver {
public:
    explicit AgentDriver(EchoServer* echo = nullptr) : echo_(echo) {
        int pair[2];
        BOOST_REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
        const int child_end = pair[1];
        pid_ = csh::agent::test::fork_child([child_end] {
            ::dup2(child_end, STDIN_FILENO);
            ::dup2(child_end, STDOUT_FILENO);
            char* argv[] = {const_cast<char*>(csh::agent::test::agent_binary()), const_cast<char*>("forward-server"),
                            nullptr};
            ::execv(argv[0], argv);
            ::_exit(126);
        });
        ::close(child_end);
        fd_ = pair[0];
    }
    ~AgentDriver() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        ::close(fd_);
    }

    ForwardMux::Events events() {
        ForwardMux::Events e;
        e.setup_done = [this](bool ok, const proto::SetupReply& reply) {
            setup_ok = ok;
            setup_answered = true;
            this->reply = reply;
        };
        e.incoming = [this](uint64_t id, const proto::NewConnectionPayload&) { incoming.push_back(id); };
        e.violation = [this](const std::string& what) { violation = what; };
        return e;
    }

    // Polls until `done` or the deadline (a failed test).
    void run_until(const std::function<bool()>& done, std::chrono::seconds timeout = std::chrono::seconds(60)) {
        const auto deadline = Clock::now() + timeout;
        while (!done()) {
            BOOST_REQUIRE_MESSAGE(Clock::now() < deadline, "timed out");
            BOOST_REQUIRE_MESSAGE(violation.empty(), "violation: " << violation);
            step();
        }
    }
    // The agent's exit code once it exited (-1: not within 10 s).
    int wait_exit() {
        run_until([this] { return agent_gone; }, std::chrono::seconds(10));
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

    ForwardMux mux{events()};
    bool setup_answered = false;
    bool setup_ok = false;
    proto::SetupReply reply;
    std::vector<uint64_t> incoming;
    std::string violation;
    bool agent_gone = false;

private:
    void step() {
        std::vector<pollfd> fds;
        const bool writing = !mux.pending_output().empty();
        fds.push_back({agent_gone ? -1 : fd_, static_cast<short>((unread_.empty() ? POLLIN : 0) | (writing ? POLLOUT : 0)), 0});
        if (echo_ != nullptr) echo_->add_fds(fds);
        if (::poll(fds.data(), fds.size(), 20) < 0) return;
        if ((fds[0].revents & POLLOUT) != 0) {
            const auto out = mux.pending_output();
            const ssize_t written = ::send(fd_, out.data(), out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (written > 0) mux.output_written(static_cast<size_t>(written));
        }
        if ((fds[0].revents & (POLLIN | POLLHUP)) != 0 && unread_.empty()) {
            char buffer[65536];
            const ssize_t got = ::recv(fd_, buffer, sizeof(buffer), MSG_DONTWAIT);
            if (got > 0) unread_.assign(buffer, static_cast<size_t>(got));
            if (got == 0) {
                agent_gone = true;
                mux.ended("the agent exited");
            }
        }
        // What receive() did not take is offered again (after input_ready).
        if (!unread_.empty()) unread_.erase(0, mux.receive(unread_));
        if (echo_ != nullptr) echo_->serve(fds.data() + 1);
    }

    EchoServer* echo_;
    pid_t pid_ = -1;
    int fd_ = -1;
    std::string unread_;
};

proto::SetupPacket dial_setup() {
    proto::SetupPacket setup;
    setup.connection_type = proto::kPortDial;
    return setup;
}

proto::NewConnectionPayload loopback(uint16_t port) { return {"tcp", "127.0.0.1", port, "127.0.0.1", 40000}; }

// One connection's 4 MiB: sent as credit allows, EOF after the last byte.
struct Flow {
    static constexpr size_t kSize = 4 * 1024 * 1024;
    Flow(ForwardMux& mux, int index, std::vector<std::string>& log)
        : mux(mux), channel("flow" + std::to_string(index), log), bytes(kSize, '\0') {
        for (size_t i = 0; i < kSize; ++i) bytes[i] = static_cast<char>((i * 31 + static_cast<size_t>(index) * 7) % 251);
        channel.on_opened = [this] { push(); };
        channel.on_send_ready = [this] { push(); };
    }
    void push() {
        while (sent < kSize) {
            const size_t offered = std::min<size_t>(64 * 1024, kSize - sent);
            const size_t took = mux.send(id, std::string_view(bytes).substr(sent, offered));
            sent += took;
            if (took < offered) return;
        }
        mux.send_eof(id);
    }
    bool complete() const { return channel.received.size() == kSize; }

    ForwardMux& mux;
    TestChannel channel;
    std::string bytes;
    uint64_t id = 0;
    size_t sent = 0;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(real_agent)

BOOST_AUTO_TEST_CASE(eight_connections_4mib_each_with_one_stalled) {
    EchoServer echo;
    AgentDriver driver(&echo);
    driver.mux.setup(dial_setup());
    driver.run_until([&] { return driver.setup_answered; });
    BOOST_REQUIRE(driver.setup_ok);
    BOOST_TEST(driver.mux.has_extension(proto::kExtensionWindow));
    BOOST_TEST(driver.mux.has_extension(proto::kExtensionEof));

    std::vector<std::string> log;
    std::vector<std::unique_ptr<Flow>> flows;
    for (int i = 0; i < 8; ++i) {
        flows.push_back(std::make_unique<Flow>(driver.mux, i, log));
        flows.back()->id = driver.mux.dial(loopback(echo.port()), &flows.back()->channel);
    }
    Flow& stalled = *flows[0];
    stalled.channel.take_limit = 0;
    driver.run_until([&] {
        for (size_t i = 1; i < flows.size(); ++i) {
            if (!flows[i]->complete()) return false;
        }
        return true;
    });
    // The others finished while one took nothing: its credit held only it.
    BOOST_TEST(stalled.channel.received.empty());
    stalled.channel.take_limit = static_cast<size_t>(-1);
    driver.mux.resume(stalled.id);
    driver.run_until([&] { return driver.mux.connections() == 0; });
    for (const auto& flow : flows) {
        BOOST_TEST(flow->channel.received == flow->bytes, flow->channel.received.size() << " bytes of " << Flow::kSize);
    }
    int closed = 0;
    for (const auto& entry : log) closed += entry.find(" closed: closed by the agent") != std::string::npos;
    BOOST_TEST(closed == 8);

    driver.mux.no_more();
    BOOST_TEST(driver.wait_exit() == 0);
}

BOOST_AUTO_TEST_CASE(refused_port_is_refused_and_no_more_ends_the_agent) {
    AgentDriver driver;
    driver.mux.setup(dial_setup());
    std::vector<std::string> log;
    TestChannel channel("c", log);
    driver.mux.dial(loopback(csh::agent::test::refused_port()), &channel);
    driver.run_until([&] { return !log.empty(); });
    BOOST_TEST(log == std::vector<std::string>{"c refused: the agent could not connect"});
    driver.mux.no_more();
    BOOST_TEST(driver.wait_exit() == 0);
    BOOST_TEST(driver.violation.empty());
}

BOOST_AUTO_TEST_CASE(port_forward_on_port_0) {
    AgentDriver driver;
    proto::SetupPacket setup;
    setup.connection_type = proto::kPortForward;
    setup.bind_host = "127.0.0.1";
    setup.protocol = "tcp";
    driver.mux.setup(setup);
    driver.run_until([&] { return driver.setup_answered; });
    BOOST_REQUIRE(driver.setup_ok);
    BOOST_REQUIRE(driver.reply.bind_port != 0u);

    const int client = csh::agent::test::connect_tcp(static_cast<uint16_t>(driver.reply.bind_port));
    driver.run_until([&] { return !driver.incoming.empty(); });
    std::vector<std::string> log;
    TestChannel channel("c", log);
    const uint64_t id = driver.incoming.front();
    driver.mux.accept(id, &channel);
    csh::agent::test::write_all_or_fail(client, "from the client");
    driver.run_until([&] { return channel.received == "from the client"; });
    BOOST_TEST(driver.mux.send(id, "from the gateway") == 16u);
    driver.run_until([&] { return driver.mux.pending_output().empty(); });
    BOOST_TEST(csh::agent::test::read_exactly(client, 16) == "from the gateway");
    ::close(client);
    driver.run_until([&] { return !log.empty() && log.back() == "c eof"; });
    driver.mux.send_eof(id);
    driver.run_until([&] { return driver.mux.connections() == 0; });
    BOOST_TEST(log.back() == "c closed: closed by the agent");
    driver.mux.no_more();
    BOOST_TEST(driver.wait_exit() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
