// Bad input and bad peers: garbage, silence, hang-ups, dead peers, slow
// readers, too many passwords. Each is logged with its code; the server
// stays up and keeps no resources for them.
#define BOOST_TEST_MODULE integration_robustness
#include <boost/test/unit_test.hpp>

#include "harness/configs.hpp"
#include "harness/gateway.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

using namespace csh::test;

namespace {

const User kAlice{"alice", "pw-alice", ""};

int connect_to(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Reads until the peer closes or `timeout` passes; returns what it read.
std::string read_until_closed(int fd, std::chrono::milliseconds timeout) {
    std::string data;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0) continue;
        char buf[4096];
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        data.append(buf, static_cast<size_t>(n));
    }
    return data;
}

size_t open_fds(pid_t pid) {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) ++n;
    return n;
}

long rss_kib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string key;
    long value = 0;
    while (status >> key) {
        if (key == "VmRSS:") {
            status >> value;
            return value;
        }
        status.ignore(1 << 16, '\n');
    }
    return -1;
}

bool eventually(const std::function<bool()>& check, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (check()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return check();
}

}  // namespace

BOOST_AUTO_TEST_CASE(two_hundred_bad_clients_leave_nothing_behind) {
    Gateway gateway(static_auth_local_backend(kAlice), true, {"loginGraceTime: 2s"});
    // Warm up: one real session, so lazily opened resources are counted in "before".
    BOOST_TEST(ssh(gateway, {"alice", "pw-alice", {}}, {}, {"true"}).exit_code == 0);
    const size_t before = open_fds(gateway.pid());

    std::vector<int> silent;
    for (int i = 0; i < 200; ++i) {
        const int fd = connect_to(gateway.port());
        BOOST_REQUIRE(fd >= 0);
        switch (i % 3) {
            case 0: {  // garbage instead of an SSH version line
                const std::string garbage = "GET / HTTP/1.1\r\nHost: x\r\n\r\n\x01\x02\xff\xfe";
                (void)!::write(fd, garbage.data(), garbage.size());
                read_until_closed(fd, std::chrono::seconds(5));
                ::close(fd);
                break;
            }
            case 1: {  // says its version, then hangs up mid-handshake
                const std::string hello = "SSH-2.0-Broken_1.0\r\n";
                (void)!::write(fd, hello.data(), hello.size());
                pollfd p{fd, POLLIN, 0};
                poll(&p, 1, 2000);
                ::close(fd);
                break;
            }
            default:  // connects and says nothing
                silent.push_back(fd);
        }
    }
    // The silent ones are cut off by the login grace time.
    for (int fd : silent) {
        read_until_closed(fd, std::chrono::seconds(10));
        ::close(fd);
    }
    // Log lines reach the test through a pipe: wait for them rather than race them.
    BOOST_TEST(eventually([&] { return gateway.count("SSH_LOGIN_GRACE_EXPIRED") >= silent.size(); },
                          std::chrono::seconds(10)));
    BOOST_TEST(eventually([&] { return gateway.count("SSH_HANDSHAKE_FAILED") >= 100u; }, std::chrono::seconds(10)));
    BOOST_TEST(eventually([&] { return open_fds(gateway.pid()) <= before; }, std::chrono::seconds(10)));
    BOOST_TEST_INFO("fds before " << before << " after " << open_fds(gateway.pid()));
    BOOST_TEST(open_fds(gateway.pid()) <= before);
    // Still serving.
    const auto r = ssh(gateway, {"alice", "pw-alice", {}}, {}, {"echo", "alive"});
    BOOST_TEST(r.out == "alive\n");
}

BOOST_AUTO_TEST_CASE(six_wrong_passwords_then_disconnect) {
    Gateway gateway(static_auth_local_backend(kAlice));
    auto cmd = ssh_command(gateway, {"alice", "wrong", {}}, {"-o", "NumberOfPasswordPrompts=10"}, {"true"});
    const auto r = run(cmd, "", ssh_env(gateway, {"alice", "wrong", {}}));
    BOOST_TEST(r.exit_code == 255);
    BOOST_TEST(!gateway.wait_for("SSH_AUTH_TOO_MANY_ATTEMPTS").empty());
    BOOST_TEST(gateway.count("SSH_AUTH_FAILED") == 6u);
}

BOOST_AUTO_TEST_CASE(keepalive_times_out_a_dead_peer) {
    Gateway gateway(static_auth_local_backend(kAlice), true, {"clientAliveInterval: 1s", "clientAliveCountMax: 2"});
    const SshLogin login{"alice", "pw-alice", {}};
    Child client(ssh_command(gateway, login, {}, {"sleep", "60"}), ssh_env(gateway, login));
    BOOST_REQUIRE(!gateway.wait_for("SSH_CHANNEL_REQUEST_SUCCESSFUL", std::chrono::seconds(20)).empty());
    kill(client.pid(), SIGSTOP);  // alive for TCP, silent for SSH
    const auto line = gateway.wait_for("SSH_KEEPALIVE_NORESP", std::chrono::seconds(20));
    kill(client.pid(), SIGCONT);
    BOOST_TEST(!line.empty());
    BOOST_TEST(!gateway.wait_for("SSH_DISCONNECTED").empty());
}

BOOST_AUTO_TEST_CASE(slow_reader_does_not_make_the_gateway_buffer) {
    Gateway gateway(static_auth_local_backend(kAlice));
    const SshLogin login{"alice", "pw-alice", {}};
    // The baseline comes before the session: a gateway that buffered the
    // flood in its first second would otherwise look flat afterwards.
    const long before = rss_kib(gateway.pid());
    // The test never reads the client's stdout, so the client stops reading
    // the socket once its pipe is full: a slow client.
    Child client(ssh_command(gateway, login, {}, {"head -c 500000000 /dev/zero"}), ssh_env(gateway, login));
    BOOST_REQUIRE(!gateway.wait_for("SSH_CHANNEL_REQUEST_SUCCESSFUL", std::chrono::seconds(20)).empty());
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const long settled = rss_kib(gateway.pid());
    std::this_thread::sleep_for(std::chrono::seconds(3));
    const long later = rss_kib(gateway.pid());
    BOOST_TEST_INFO("RSS " << before << " KiB before the session, " << settled << " KiB -> " << later << " KiB");
    // 500 MB were offered; one session's windows and buffers are a few MiB.
    BOOST_TEST(later - before < 32 * 1024);
    BOOST_TEST(later - settled < 16 * 1024);
}

BOOST_AUTO_TEST_CASE(sigterm_with_a_running_session_cleans_up_the_program) {
    Gateway gateway(static_auth_local_backend(kAlice));
    const SshLogin login{"alice", "pw-alice", {}};
    // A marker no other process on the machine carries.
    const std::string marker = "sleep 4242." + std::to_string(gateway.port());
    Child client(ssh_command(gateway, login, {}, {"exec " + marker}), ssh_env(gateway, login));
    BOOST_REQUIRE(!gateway.wait_for("SSH_CHANNEL_REQUEST_SUCCESSFUL", std::chrono::seconds(20)).empty());
    BOOST_REQUIRE(eventually([&] { return run({"pgrep", "-f", marker}).exit_code == 0; }, std::chrono::seconds(10)));

    BOOST_TEST(gateway.stop(SIGTERM) == 0);
    BOOST_TEST(gateway.count("SERVICE_POOL_STOPPED") == 1u);
    BOOST_TEST(gateway.count("SSH_BACKEND_SHUTDOWN_TIMEOUT") == 0u);
    BOOST_TEST(run({"pgrep", "-f", marker}).exit_code == 1);  // the program did not outlive the gateway
    // The client saw its connection end (signal 0 only waits for its exit).
    BOOST_TEST(client.stop(0, std::chrono::seconds(10)) >= 0);
}
