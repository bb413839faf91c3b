// Forwarding into the container through the Docker backend, end to end: the
// real OpenSSH client opens direct-tcpip channels (ssh -L, -D, -W), the
// gateway hands them to the guest agent's forward-server in the
// connection's container, and the targets are real programs in the
// container (busybox httpd, an nc echo server). docs/forwarding.md
// describes the feature; docs/design/forwarding.md the protocol.
#define BOOST_TEST_MODULE integration_docker_forwarding
#include <boost/test/unit_test.hpp>

#include "harness/docker.hpp"
#include "harness/forwarding.hpp"
#include "harness/gateway.hpp"
#include "harness/probes.hpp"
#include "temp_dir.hpp"

#include <openssl/evp.h>

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <csignal>
#include <iostream>
#include <random>
#include <regex>
#include <sstream>
#include <thread>

using namespace csh::test;
namespace docker = csh::test::docker;

BOOST_TEST_GLOBAL_FIXTURE(BrokenPipesDoNotKill);

namespace {

const std::string kForwardingOn =
    "security:\n  forwarding:\n    forwardingMode: enable\n    reverseForwardingMode: enable\n"
    "    agentForwardingMode: enable\n    x11ForwardingMode: enable\n";

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

// A gateway with its own user (its containers carry that username label)
// and the Docker backend in `mode`, forwarding enabled. Every test ends
// with no container of its user left.
class ForwardingGateway {
public:
    explicit ForwardingGateway(const std::string& mode = "connection", const std::string& execution_yaml = "",
                               const std::string& security_yaml = kForwardingOn)
        : user_("dfwd" + random_hex(10)),
          gateway_("auth:\n  password:\n    method: static\n    static:\n      users:\n        " + user_ +
                   ":\n          password: pw\n" + docker::backend_config(mode, execution_yaml) + security_yaml) {}
    ~ForwardingGateway() {
        if (current_test_failed()) {
            std::cerr << "---- gateway log ----\n";
            for (const auto& line : gateway_.lines()) std::cerr << line << "\n";
            std::cerr << "---- end ----\n";
        }
        BOOST_TEST(eventually([&] { return containers().empty(); }, std::chrono::seconds(30)),
                   "a container of the test outlived its connection");
        for (const auto& id : containers()) docker::cli({"rm", "-f", id});
    }
    Gateway& gateway() { return gateway_; }
    SshLogin login() const { return {user_, "pw", {}}; }
    std::vector<std::string> containers() const { return docker::containers_labelled("containerssh_username=" + user_); }

private:
    std::string user_;
    Gateway gateway_;
};

// A session command that starts an echo server on `port` in the container
// (busybox nc forks a cat per connection) and keeps the session open.
std::vector<std::string> echo_server(int port) {
    return {"busybox nc -ll -p " + std::to_string(port) + " -e /bin/cat"};
}

// Waits until a connection through the forward reaches the server in the
// container (the session starting it may still be on its way).
bool answers_echo(int local_port) {
    return eventually([&] { return round_trip(local_port, "probe\n") == "probe\n"; }, std::chrono::seconds(60));
}

std::string sha256(EVP_MD_CTX* ctx) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(ctx, digest, &length);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < length; ++i) {
        out.push_back(hex[digest[i] >> 4]);
        out.push_back(hex[digest[i] & 15]);
    }
    return out;
}

// One connection through `port` that sends `size` pseudo-random bytes
// (seeded by `seed`) and reads the echo; both directions are hashed as they
// pass. `read_gate`, when set, holds the reader back until it turns true.
struct Transfer {
    std::string sent_digest, received_digest;
    size_t received = 0;
    bool connected = false;
};

// `echoing`, when set, turns true once the first bytes came back.
Transfer transfer(int port, size_t size, unsigned seed, const std::atomic<bool>* read_gate = nullptr,
                  std::atomic<bool>* echoing = nullptr) {
    Transfer result;
    const int fd = connect_loopback(port);
    if (fd < 0) return result;
    result.connected = true;
    std::thread writer([&] {
        EVP_MD_CTX* ctx = EVP_MD_CTX_new();
        EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
        std::mt19937_64 random(seed);
        std::string chunk(65536, '\0');
        for (size_t off = 0; off < size;) {
            const size_t n = std::min(chunk.size(), size - off);
            for (size_t i = 0; i < n; i += 8) {
                const uint64_t word = random();
                std::memcpy(&chunk[i], &word, std::min<size_t>(8, n - i));
            }
            EVP_DigestUpdate(ctx, chunk.data(), n);
            for (size_t done = 0; done < n;) {
                const ssize_t w = ::send(fd, chunk.data() + done, n - done, MSG_NOSIGNAL);
                if (w <= 0) {
                    off = size;
                    break;
                }
                done += static_cast<size_t>(w);
            }
            off += n;
        }
        ::shutdown(fd, SHUT_WR);
        result.sent_digest = sha256(ctx);
        EVP_MD_CTX_free(ctx);
    });
    while (read_gate != nullptr && !read_gate->load()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        EVP_DigestUpdate(ctx, buffer, static_cast<size_t>(n));
        result.received += static_cast<size_t>(n);
        if (echoing != nullptr) *echoing = true;
    }
    result.received_digest = sha256(ctx);
    EVP_MD_CTX_free(ctx);
    writer.join();
    ::close(fd);
    return result;
}

// A command for the container: sends `line` to 127.0.0.1:port there until
// an answer comes (the forward may still be on its way), prints it.
std::string ask_in_container(int port, const std::string& line) {
    return "for i in $(seq 100); do r=$(echo " + line + " | busybox nc 127.0.0.1 " + std::to_string(port) +
           ") && [ -n \"$r\" ] && echo \"$r\" && exit 0; sleep 0.1; done; exit 1";
}

}  // namespace

// The everyday use (and VS Code Remote-SSH's pattern): the session starts a
// server in the container, -L reaches it, an HTTP client gets a page.
BOOST_AUTO_TEST_CASE(ssh_L_reaches_an_http_server_started_in_the_container) {
    ForwardingGateway g;
    const std::string body = random_hex(2048);
    LocalForward forward(g.gateway(), g.login(), "127.0.0.1:8080",
                         {"mkdir -p /tmp/www && echo " + body + " > /tmp/www/page.txt && "
                          "exec busybox httpd -f -p 127.0.0.1:8080 -h /tmp/www"});
    BOOST_REQUIRE_MESSAGE(forward.ready, "the -L port never accepted");
    const std::string url = "http://127.0.0.1:" + std::to_string(forward.local_port) + "/page.txt";
    RunResult r;
    BOOST_TEST(eventually(
        [&] {
            r = run({"curl", "-sS", "--max-time", "20", url});
            return r.exit_code == 0;
        },
        std::chrono::seconds(60)));
    BOOST_TEST(r.out == body + "\n", describe(r));
    BOOST_TEST(!g.gateway().wait_for("DOCKER_FORWARD_AGENT_READY").empty());
    // Ours speaks the extensions; ContainerSSH's agent would list none.
    BOOST_TEST(contains(g.gateway().wait_for("DOCKER_FORWARD_AGENT_READY"), "csh.window"));
}

// VS Code Remote-SSH's pattern: a session whose shell reads a script from
// stdin, which starts a server in the container and prints the port it
// listens on; then a -L added to the same connection (ControlMaster, as
// VS Code does) reaches that server and an HTTP request goes through it.
BOOST_AUTO_TEST_CASE(a_script_on_stdin_starts_a_server_that_a_later_L_reaches) {
    ForwardingGateway g;
    TempDir dir;
    const std::string control = (dir.path() / "cm").string();
    Child session(ssh_command(g.gateway(), g.login(), {"-T", "-M", "-S", control}, {"bash"}),
                  ssh_env(g.gateway(), g.login()));
    const std::string token = random_hex(32);
    const std::string script =
        "port=$((20000 + RANDOM % 20000))\n"
        "mkdir -p /tmp/server && echo " + token + " > /tmp/server/token\n"
        "busybox httpd -p 127.0.0.1:$port -h /tmp/server\n"
        "echo listeningOn==$port==\n";
    BOOST_REQUIRE(::write(session.stdin_fd(), script.data(), script.size()) == static_cast<ssize_t>(script.size()));
    std::string line;
    std::smatch m;
    BOOST_REQUIRE_MESSAGE(session.read_line(line, std::chrono::seconds(60)), "the script printed nothing");
    BOOST_REQUIRE_MESSAGE(std::regex_search(line, m, std::regex("listeningOn==([0-9]+)==")), line);
    const int local_port = closed_port();
    const auto forward = run(ssh_command(g.gateway(), g.login(),
                                         {"-S", control, "-O", "forward", "-L",
                                          std::to_string(local_port) + ":127.0.0.1:" + m[1].str()},
                                         {}));
    BOOST_REQUIRE_MESSAGE(forward.exit_code == 0, describe(forward));
    const auto r = run({"curl", "-sS", "--max-time", "20", "http://127.0.0.1:" + std::to_string(local_port) + "/token"});
    BOOST_TEST(r.exit_code == 0, describe(r));
    BOOST_TEST(r.out == token + "\n", describe(r));
    session.close_stdin();  // bash ends at EOF; the connection with it
    BOOST_TEST(session.stop(SIGTERM, std::chrono::seconds(20)) != -1);
}

// ssh -D: the client speaks SOCKS and passes the name unresolved, so the
// agent resolves "localhost" inside the container.
BOOST_AUTO_TEST_CASE(ssh_D_with_curl_socks5_hostname_resolves_in_the_container) {
    ForwardingGateway g;
    const int socks_port = closed_port();
    Child client(ssh_command(g.gateway(), g.login(),
                             {"-o", "ExitOnForwardFailure=yes", "-D", "127.0.0.1:" + std::to_string(socks_port)},
                             {"mkdir -p /tmp/www && echo socks-page > /tmp/www/index.html && "
                              "exec busybox httpd -f -p 127.0.0.1:8081 -h /tmp/www"}),
                 ssh_env(g.gateway(), g.login()));
    RunResult r;
    BOOST_TEST(eventually(
        [&] {
            r = run({"curl", "-sS", "--max-time", "20", "--socks5-hostname", "127.0.0.1:" + std::to_string(socks_port),
                     "http://localhost:8081/index.html"});
            return r.exit_code == 0;
        },
        std::chrono::seconds(60)));
    BOOST_TEST(r.out == "socks-page\n", describe(r));
}

// A target nobody listens on: the client's open fails (it is not opened
// and then closed), and the log says why.
BOOST_AUTO_TEST_CASE(ssh_W_to_a_closed_port_fails_the_open) {
    ForwardingGateway g;
    const auto r = ssh(g.gateway(), g.login(), {"-o", "LogLevel=INFO", "-W", "127.0.0.1:9"}, {}, "",
                       std::chrono::seconds(60));
    BOOST_TEST(r.exit_code == 255, describe(r));
    BOOST_TEST(contains(r.err, "open failed"), describe(r));
    const auto line = g.gateway().wait_for("DOCKER_FORWARD_REFUSED");
    BOOST_TEST(json_field(line, "target") == "127.0.0.1:9", line);
    BOOST_TEST(g.gateway().count("SSH_FORWARD_OPENED") == 0u);
}

// The agent's own reason reaches the log. It comes on the agent's stderr,
// which the engine delivers apart from (and possibly after) the refusal,
// so the connection stays open here until it came.
BOOST_AUTO_TEST_CASE(the_agents_reason_for_a_refused_target_is_logged) {
    ForwardingGateway g;
    LocalForward forward(g.gateway(), g.login(), "127.0.0.1:9", {"sleep 60"});
    BOOST_REQUIRE_MESSAGE(forward.ready, "the -L port never accepted");
    BOOST_TEST(round_trip(forward.local_port, "x").empty());  // the client closes what it could not open
    const auto line = g.gateway().wait_for("DOCKER_FORWARD_AGENT_LOG", std::chrono::seconds(30));
    BOOST_TEST(contains(line, "cannot connect to 127.0.0.1:9"), line);
    BOOST_TEST(forward.client.stop(SIGKILL, std::chrono::seconds(10)) >= 0);
}

// 32 connections at once, 16 MiB each way, checked with SHA-256; one more
// connection whose reader stalls must not hold them up (csh.window credit:
// the agent stream keeps moving while one target's bytes wait).
BOOST_AUTO_TEST_CASE(thirty_two_connections_of_16_MiB_and_a_stalled_one) {
    ForwardingGateway g;
    LocalForward forward(g.gateway(), g.login(), "127.0.0.1:7000", echo_server(7000));
    BOOST_REQUIRE_MESSAGE(forward.ready, "the -L port never accepted");
    BOOST_REQUIRE(answers_echo(forward.local_port));

    std::atomic<bool> release_stalled{false};
    Transfer stalled;
    std::thread stalled_client([&] { stalled = transfer(forward.local_port, 8u << 20, 99, &release_stalled); });
    std::this_thread::sleep_for(std::chrono::milliseconds(500));

    constexpr size_t kConnections = 32, kSize = 16u << 20;
    std::vector<Transfer> results(kConnections);
    std::vector<std::thread> clients;
    std::vector<std::atomic<bool>> echoing(kConnections);
    for (size_t i = 0; i < kConnections; ++i) {
        clients.emplace_back([&, i] {
            results[i] = transfer(forward.local_port, kSize, static_cast<unsigned>(i), nullptr, &echoing[i]);
        });
        // busybox nc listens with a backlog of 2, and a burst of connects
        // overflows it (the kernel then resets some): the next connection
        // starts once this one echoes. Each moves 16 MiB, far longer than
        // that takes, so all 32 still run at once.
        eventually([&] { return echoing[i].load(); }, std::chrono::seconds(30));
    }
    for (auto& t : clients) t.join();
    for (size_t i = 0; i < kConnections; ++i) {
        BOOST_TEST_CONTEXT("connection " << i) {
            BOOST_TEST(results[i].connected);
            BOOST_TEST(results[i].received == kSize);
            BOOST_TEST(results[i].received_digest == results[i].sent_digest);
        }
    }
    // The stalled one was held back all along and still arrives whole.
    release_stalled = true;
    stalled_client.join();
    BOOST_TEST(stalled.received == (8u << 20));
    BOOST_TEST(stalled.received_digest == stalled.sent_digest);
}

// ContainerSSH's #711: a disconnect with forwards open must not leave the
// forward-server running and the container behind.
BOOST_AUTO_TEST_CASE(a_disconnect_with_open_forwards_removes_the_container) {
    ForwardingGateway g;
    {
        LocalForward forward(g.gateway(), g.login(), "127.0.0.1:7001", echo_server(7001));
        BOOST_REQUIRE(forward.ready);
        BOOST_REQUIRE(answers_echo(forward.local_port));
        const int held = connect_loopback(forward.local_port);
        BOOST_REQUIRE(held >= 0);
        BOOST_REQUIRE(::send(held, "x", 1, MSG_NOSIGNAL) == 1);
        char c = 0;
        BOOST_REQUIRE(::recv(held, &c, 1, 0) == 1);  // open end to end
        BOOST_REQUIRE(g.containers().size() == 1u);
        // The forward-server runs in the container while the forward is open.
        const auto ps = docker::cli({"exec", g.containers().front(), "ps"});
        BOOST_TEST(contains(ps.out, "forward-server"), ps.out);
        forward.client.stop(SIGKILL, std::chrono::seconds(5));
        ::close(held);
    }
    BOOST_TEST(!g.gateway().wait_for("SSH_DISCONNECTED").empty());
    // ~ForwardingGateway checks the container is gone.
}

BOOST_AUTO_TEST_CASE(session_mode_refuses_forwarding_with_a_reason) {
    ForwardingGateway g("session");
    const auto r = ssh(g.gateway(), g.login(), {"-o", "LogLevel=INFO", "-W", "127.0.0.1:80"}, {}, "",
                       std::chrono::seconds(60));
    BOOST_TEST(r.exit_code == 255, describe(r));
    BOOST_TEST(contains(r.err, "open failed"), describe(r));
    BOOST_TEST(contains(g.gateway().wait_for("DOCKER_FORWARD_NOT_AVAILABLE"), "session mode"));
}

BOOST_AUTO_TEST_CASE(an_image_without_the_agent_fails_the_open_and_says_so) {
    ForwardingGateway g("connection", "    agentPath: /no/such/agent\n");
    const auto r = ssh(g.gateway(), g.login(), {"-o", "LogLevel=INFO", "-W", "127.0.0.1:80"}, {}, "",
                       std::chrono::seconds(60));
    BOOST_TEST(r.exit_code == 255, describe(r));
    BOOST_TEST(contains(r.err, "open failed"), describe(r));
    // The runtime's own words on why the program could not run are in the line.
    const auto line = g.gateway().wait_for("DOCKER_FORWARD_AGENT_FAILED");
    BOOST_TEST(contains(json_field(line, "output"), "no such file or directory"), line);
    BOOST_TEST(json_field(line, "agentPath") == "/no/such/agent", line);
}

// ssh -R: the agent listens in the container, connections there come back
// through the client to a server on the client's side.
BOOST_AUTO_TEST_CASE(ssh_R_brings_a_connection_from_the_container_to_the_client_side) {
    ForwardingGateway g;
    EchoServer echo;
    const auto r = ssh(g.gateway(), g.login(),
                       {"-o", "ExitOnForwardFailure=yes", "-R", "7200:127.0.0.1:" + std::to_string(echo.port())},
                       {ask_in_container(7200, "remote-ping")}, "", std::chrono::seconds(90));
    BOOST_TEST(r.exit_code == 0, describe(r));
    BOOST_TEST(r.out == "remote-ping\n", describe(r));
    BOOST_TEST(json_field(g.gateway().wait_for("DOCKER_FORWARD_LISTENING"), "listener") == "localhost:7200");
}

// ssh -R 0: the port the agent's kernel chose is reported to the client,
// and a second session of the same connection (ControlMaster) reaches it.
BOOST_AUTO_TEST_CASE(ssh_R_0_reports_the_port_chosen_in_the_container) {
    ForwardingGateway g;
    EchoServer echo;
    TempDir dir;
    const std::string control = (dir.path() / "cm").string();
    const std::string err_file = (dir.path() / "master.err").string();
    Child master(ssh_command(g.gateway(), g.login(),
                             // LogLevel INFO: the client says which port it was allocated.
                             {"-N", "-M", "-S", control, "-o", "ExitOnForwardFailure=yes", "-o", "LogLevel=INFO", "-R",
                              "0:127.0.0.1:" + std::to_string(echo.port())},
                             {}),
                 ssh_env(g.gateway(), g.login()), err_file);
    int port = 0;
    BOOST_REQUIRE(eventually(
        [&] {
            std::smatch m;
            const std::string err = std::filesystem::exists(err_file) ? read_file(err_file) : "";
            if (!std::regex_search(err, m, std::regex("Allocated port ([0-9]+) for remote forward"))) return false;
            port = std::stoi(m[1]);
            return true;
        },
        std::chrono::seconds(60)));
    BOOST_TEST(port != 0);
    const auto r = run(ssh_command(g.gateway(), g.login(), {"-S", control}, {ask_in_container(port, "zero-ping")}), "",
                       {}, std::chrono::seconds(90));
    BOOST_TEST(r.exit_code == 0, describe(r));
    BOOST_TEST(r.out == "zero-ping\n", describe(r));

    // Cancelled: the agent stops listening in the container.
    const auto cancel = run(ssh_command(g.gateway(), g.login(),
                                        {"-S", control, "-O", "cancel", "-R", "0:127.0.0.1:" + std::to_string(echo.port())},
                                        {}));
    BOOST_TEST(cancel.exit_code == 0, describe(cancel));
    BOOST_TEST(!g.gateway().wait_for("DOCKER_FORWARD_LISTEN_STOPPED").empty());
    const auto after = run(ssh_command(g.gateway(), g.login(), {"-S", control},
                                       {"echo x | busybox nc 127.0.0.1 " + std::to_string(port) + " || echo refused"}),
                           "", {}, std::chrono::seconds(60));
    BOOST_TEST(after.out == "refused\n", describe(after));
    master.stop(SIGTERM, std::chrono::seconds(10));
}

BOOST_AUTO_TEST_CASE(session_mode_refuses_remote_forwarding) {
    ForwardingGateway g("session");
    const auto r = ssh(g.gateway(), g.login(), {"-N", "-o", "ExitOnForwardFailure=yes", "-R", "7201:127.0.0.1:9"}, {},
                       "", std::chrono::seconds(60));
    BOOST_TEST(r.exit_code == 255, describe(r));
    BOOST_TEST(contains(r.err, "remote port forwarding failed"), describe(r));
    BOOST_TEST(contains(g.gateway().wait_for("DOCKER_FORWARD_NOT_AVAILABLE"), "session mode"));
}

namespace {
// `command` in a session with the client's `option` (-A, -Y) and its
// environment variable (the agent's socket, the display) set.
RunResult ssh_forwarding(ForwardingGateway& g, const std::string& option,
                         const std::pair<std::string, std::string>& variable, const std::string& command) {
    auto env = ssh_env(g.gateway(), g.login());
    env[variable.first] = variable.second;
    return run(ssh_command(g.gateway(), g.login(), {option}, {command}), "", env, std::chrono::seconds(90));
}
}  // namespace

// ssh -A: an ssh-agent on the client's side holds a key (ClientAgent); in
// the container SSH_AUTH_SOCK leads to it, and ssh-add lists the key.
namespace {
RunResult ssh_A(ForwardingGateway& g, const ClientAgent& agent, const std::string& command) {
    return ssh_forwarding(g, "-A", {"SSH_AUTH_SOCK", agent.socket}, command);
}
}  // namespace

BOOST_AUTO_TEST_CASE(ssh_A_lets_ssh_add_in_the_container_list_the_clients_key) {
    ForwardingGateway g;
    ClientAgent agent;
    const auto r = ssh_A(g, agent, "echo sock=$SSH_AUTH_SOCK; ssh-add -l");
    BOOST_TEST(r.exit_code == 0, describe(r));
    BOOST_TEST(contains(r.out, "sock=/tmp/containerssh-agent-"), describe(r));
    BOOST_TEST(contains(r.out, agent.fingerprint), describe(r));
    BOOST_TEST(!g.gateway().wait_for("SSH_AGENT_FORWARD_LISTENING").empty());
    BOOST_TEST(g.gateway().count("SSH_REVERSE_FORWARD_OPENED") >= 1u);  // an auth-agent@openssh.com channel
}

// What authenticating with the key takes is a signature by the client's
// agent: ssh-keygen in the container signs with the forwarded agent (it
// holds no private key), and the signature checks out on this side.
BOOST_AUTO_TEST_CASE(the_forwarded_agent_signs_for_a_program_in_the_container) {
    ForwardingGateway g;
    ClientAgent agent;
    const std::string public_key = read_file(agent.dir.path() / "forwarded.pub");
    const auto r = ssh_A(g, agent, "printf '%s' '" + public_key + "' > /tmp/key.pub && echo signed-text > /tmp/text && "
                                  "ssh-keygen -q -Y sign -n csh-test -f /tmp/key.pub /tmp/text && cat /tmp/text.sig");
    BOOST_TEST(r.exit_code == 0, describe(r));
    BOOST_REQUIRE(contains(r.out, "BEGIN SSH SIGNATURE"));
    write_file(agent.dir.path() / "text.sig", r.out);
    write_file(agent.dir.path() / "allowed", "tester " + public_key);
    const auto verified = run({"ssh-keygen", "-Y", "verify", "-f", (agent.dir.path() / "allowed").string(), "-I",
                               "tester", "-n", "csh-test", "-s", (agent.dir.path() / "text.sig").string()},
                              "signed-text\n");
    BOOST_TEST(verified.exit_code == 0, describe(verified));
    BOOST_TEST(contains(verified.out, "Good"), describe(verified));
}

// ssh -A all the way: an ssh client in the container logs in to an sshd on
// the test's side with a key that only the client's agent holds. The sshd
// is reached from the container through a -R of the same connection. The
// same login with SSH_AUTH_SOCK unset is refused first, so the success can
// only come from the forwarded agent.
BOOST_AUTO_TEST_CASE(ssh_in_the_container_logs_in_with_the_forwarded_agent) {
    ForwardingGateway g;
    ClientAgent agent;
    TestSshd sshd(agent.dir.path() / "forwarded.pub");
    std::string user = run({"id", "-un"}).out;
    user.erase(user.find_last_not_of('\n') + 1);
    const std::string login_from_container =
        "ssh -p 7300 -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "
        "-o LogLevel=ERROR " + user + "@127.0.0.1 'echo logged-in-as-$(id -un)'";
    auto env = ssh_env(g.gateway(), g.login());
    env["SSH_AUTH_SOCK"] = agent.socket;
    const auto r = run(ssh_command(g.gateway(), g.login(),
                                   {"-A", "-o", "ExitOnForwardFailure=yes", "-R",
                                    "7300:127.0.0.1:" + std::to_string(sshd.port)},
                                   {"(unset SSH_AUTH_SOCK; " + login_from_container + ") || echo without-agent-refused; " +
                                    login_from_container}),
                       "", env, std::chrono::seconds(90));
    BOOST_TEST(r.exit_code == 0, describe(r) + "\n---- sshd ----\n" + sshd.log());
    BOOST_TEST(r.out == "without-agent-refused\nlogged-in-as-" + user + "\n", describe(r));
    BOOST_TEST(contains(sshd.log(), "Accepted publickey for " + user), sshd.log());
}

BOOST_AUTO_TEST_CASE(without_agentForwardingMode_the_agent_is_not_forwarded) {
    ForwardingGateway g("connection", "", "security:\n  forwarding:\n    forwardingMode: enable\n");
    ClientAgent agent;
    const auto r = ssh_A(g, agent, "echo sock=$SSH_AUTH_SOCK; ssh-add -l");
    BOOST_TEST(r.exit_code == 2, describe(r));  // ssh-add: no agent to talk to
    BOOST_TEST(contains(r.out, "sock=\n"), describe(r));
    const auto line = g.gateway().wait_for("SECURITY_AGENT_FORWARDING_REJECTED");
    BOOST_TEST(contains(json_field(line, "reason"), "mode disable"), line);
}

// ssh -Y: an X server on the client's side (Xvfb); an X client in the
// container reaches it through DISPLAY, which the gateway set from the
// display the agent chose, with the cookie the agent wrote.
namespace {
struct ClientDisplay {
    int number = 40 + static_cast<int>(std::random_device{}() % 50);
    Child server{{"Xvfb", ":" + std::to_string(number), "-nolisten", "tcp"}};
    ClientDisplay() {
        const std::string socket = "/tmp/.X11-unix/X" + std::to_string(number);
        BOOST_REQUIRE(eventually([&] { return std::filesystem::exists(socket); }, std::chrono::seconds(20)));
    }
    RunResult ssh_Y(ForwardingGateway& g, const std::string& command) {
        return ssh_forwarding(g, "-Y", {"DISPLAY", ":" + std::to_string(number)}, command);
    }
};
}  // namespace

BOOST_AUTO_TEST_CASE(ssh_Y_lets_an_X_client_in_the_container_reach_the_clients_display) {
    ForwardingGateway g;
    ClientDisplay display;
    const auto r = display.ssh_Y(g, "echo display=$DISPLAY; xdpyinfo");
    BOOST_TEST(r.exit_code == 0, describe(r));
    BOOST_TEST(contains(r.out, "display=localhost:"), describe(r));
    // Xvfb's own answer, through the x11 channel.
    BOOST_TEST(contains(r.out, "vendor string:"), describe(r));
    BOOST_TEST(!g.gateway().wait_for("SSH_X11_FORWARD_LISTENING").empty());
}

BOOST_AUTO_TEST_CASE(without_x11ForwardingMode_ssh_Y_gets_no_display) {
    ForwardingGateway g("connection", "", "security:\n  forwarding:\n    forwardingMode: enable\n");
    ClientDisplay display;
    const auto r = display.ssh_Y(g, "echo display=$DISPLAY");
    BOOST_TEST(r.exit_code == 0, describe(r));
    BOOST_TEST(contains(r.out, "display=\n"), describe(r));
    const auto line = g.gateway().wait_for("SECURITY_X11_FORWARDING_REJECTED");
    BOOST_TEST(contains(json_field(line, "message"), "x11ForwardingMode (mode disable)"), line);
}
