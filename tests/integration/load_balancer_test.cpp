// Three gateway replicas behind Debian's HAProxy on loopback, as issue 17's
// scale-out asks: one host key shared by every replica (each checks it with
// ssh.hostKeyFingerprints, and drains on SIGTERM), the PROXY protocol
// from HAProxy only (127.0.0.1), HAProxy health-checking each replica's
// health endpoint, and OpenSSH clients bound to 127.0.0.2, .3 and .4 so each
// login's real source differs from HAProxy's. The cases: hundreds of logins
// spread over the replicas with one known_hosts entry; the client's address
// in the webhook, SSH_CLIENT and the audit stream; a header from an untrusted
// address refused; SIGTERM to one replica draining it without a failed login;
// SIGKILL to a replica whose users have Docker containers, which no other
// replica removes and which its restart does, once.
#define BOOST_TEST_MODULE integration_load_balancer
#include <boost/test/unit_test.hpp>

#include "harness/configs.hpp"
#include "harness/docker.hpp"
#include "harness/gateway.hpp"
#include "harness/haproxy.hpp"
#include "harness/loopback.hpp"
#include "harness/probes.hpp"

#include <http_test_server.hpp>

#include <simdjson.h>

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace csh::test;
using namespace std::chrono_literals;

namespace {

// The clients' source addresses, used in turn; HAProxy connects from 127.0.0.1.
const std::vector<std::string> kClientAddresses{"127.0.0.2", "127.0.0.3", "127.0.0.4"};
const SshLogin kLogin{"alice", "alice-password", {}};
constexpr auto kLoginTimeout = std::chrono::seconds(120);

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
    return text;
}

// A string field of a JSON object, or of an object inside it ("payload"),
// "<absent>" when there is none.
std::string json_string(const std::string& json, const char* key, const char* inside = nullptr) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(json).get(root) != simdjson::SUCCESS) return "<not json>";
    std::string_view value;
    const auto found = inside == nullptr ? root[key].get_string().get(value) : root[inside][key].get_string().get(value);
    return found == simdjson::SUCCESS ? std::string(value) : "<absent>";
}

// "a=1 b=2": counts by name, comparable and printable in one assertion.
std::string counts_text(const std::map<std::string, std::size_t>& counts) {
    std::string text;
    for (const auto& [name, count] : counts) text += (text.empty() ? "" : " ") + name + "=" + std::to_string(count);
    return text;
}

// The source address of a "127.0.0.2:40000" remote address, or the text as is.
std::string address_part(const std::string& address) { return address.substr(0, address.rfind(':')); }

// The one host key all replicas use, and its fingerprint for
// ssh.hostKeyFingerprints.
struct SharedHostKey {
    TempDir dir;
    std::filesystem::path key = make_key(dir.path(), "host_key");

    std::string fingerprint() const {
        const auto r = run({"ssh-keygen", "-l", "-E", "sha256", "-f", key.string()});
        std::istringstream fields(r.out);
        std::string bits, fingerprint;
        fields >> bits >> fingerprint;
        if (r.exit_code != 0 || !starts_with(fingerprint, "SHA256:")) {
            throw std::runtime_error("ssh-keygen -l failed: " + r.err + r.out);
        }
        return fingerprint;
    }
    // A known_hosts line for clients of the front end at 127.0.0.1:`port`.
    std::string known_hosts_line(int port) const {
        return "[127.0.0.1]:" + std::to_string(port) + " " + trimmed(read_file(key.string() + ".pub")) + "\n";
    }
};

// One replica: a fixed SSH port and health port (so HAProxy's configuration
// and, for the Docker backend, the instance id survive a restart), and the
// gateway process, which a case may kill and start again.
struct Replica {
    int ssh_port = free_loopback_port();
    int health_port = free_loopback_port();
    std::string audit_file;
    std::string config_body;
    std::vector<std::string> ssh_settings;
    std::unique_ptr<Gateway> gateway;
    // The log lines of the runs before the current one, for assertions over
    // the replica's whole life (a removal logged by an earlier run counts).
    std::vector<std::string> earlier_lines;

    void start() { gateway = std::make_unique<Gateway>(config_body, false, ssh_settings); }
    // Ends the current run (already stopped by the test), keeping its lines.
    void forget_run() {
        const auto lines = gateway->lines();
        earlier_lines.insert(earlier_lines.end(), lines.begin(), lines.end());
        gateway.reset();
    }
    std::vector<std::string> all_lines() const {
        auto all = earlier_lines;
        if (gateway) {
            const auto lines = gateway->lines();
            all.insert(all.end(), lines.begin(), lines.end());
        }
        return all;
    }
};

std::vector<std::string> lines_with(const std::vector<std::string>& lines, const std::string& code) {
    std::vector<std::string> found;
    for (const auto& line : lines) {
        if (json_field(line, "code") == code) found.push_back(line);
    }
    return found;
}

enum class Backend { local, docker };

// The webhook answering every password with success and recording each
// request, three replicas and HAProxy in front of them. On failure the
// replicas' last log lines and HAProxy's stderr are printed.
class Cluster {
public:
    explicit Cluster(Backend backend, const std::string& send_proxy = "send-proxy-v2") {
        webhook.respond("/password", {200, R"({"success": true})"});
        for (std::size_t i = 0; i < replicas.size(); ++i) {
            auto& r = replicas[i];
            r.audit_file = dir.file("audit-" + std::to_string(i) + ".jsonl");
            r.config_body = config_body(backend, r);
            r.ssh_settings = {"listen: 127.0.0.1:" + std::to_string(r.ssh_port),
                              "hostkeys: [" + host_key.key.string() + "]",
                              "proxyProtocolAllowedCIDRs: [127.0.0.1/32]", "proxyProtocolHeaderTimeout: 2s",
                              // Each replica checks that its keys are the set
                              // every replica has.
                              "hostKeyFingerprints: [\"" + host_key.fingerprint() + "\"]",
                              // The default drain, named because the harness
                              // writes 0s (close at once) for other suites.
                              "drainTimeout: 20s"};
            r.start();
        }
        HaproxyOptions options;
        options.send_proxy = send_proxy;
        // Checks every 300 ms, out after one failure: a draining replica's
        // 503 takes it out at once; back after two passes.
        options.check_interval = 300ms;
        options.fall = 1;
        options.rise = 2;
        std::vector<HaproxyServer> servers;
        for (const auto& r : replicas) servers.push_back({r.ssh_port, r.health_port});
        haproxy = std::make_unique<Haproxy>(servers, options);
        BOOST_REQUIRE_MESSAGE(haproxy->wait_all_up(), "HAProxy did not see every replica up:\n"
                                                          << haproxy->stderr_text());
        std::ofstream(known_hosts) << host_key.known_hosts_line(haproxy->port());

        // The OpenSSH command line and environment every login shares: the
        // front end's port, the one known_hosts file and strict checking, so
        // a replica with another key fails the login. Made once here: the
        // harness writes its askpass script into a replica's directory, which
        // goes when that replica restarts, so the script is copied.
        argv_ = ssh_command(*replicas[0].gateway, kLogin,
                            {"-p", std::to_string(haproxy->port()), "-o", "StrictHostKeyChecking=yes", "-o",
                             "UserKnownHostsFile=" + known_hosts, "-o", "GlobalKnownHostsFile=/dev/null",
                             "-o", "ServerAliveInterval=5"},
                            {});
        env_ = ssh_env(*replicas[0].gateway, kLogin);
        const auto askpass = dir.file("askpass.sh");
        std::filesystem::copy_file(env_.at("SSH_ASKPASS"), askpass);
        env_["SSH_ASKPASS"] = askpass;
    }

    ~Cluster() {
        if (!current_test_failed()) return;
        for (std::size_t i = 0; i < replicas.size(); ++i) {
            const auto lines = replicas[i].all_lines();
            std::cerr << "---- replica " << i << " (port " << replicas[i].ssh_port << "), last log lines ----\n";
            for (std::size_t l = lines.size() > 40 ? lines.size() - 40 : 0; l < lines.size(); ++l) {
                std::cerr << lines[l] << "\n";
            }
        }
        if (haproxy) std::cerr << "---- HAProxy's stderr ----\n" << haproxy->stderr_text() << "----\n";
    }

    // The OpenSSH command for a login from `source` through HAProxy.
    std::vector<std::string> login_command(const std::string& source, const std::string& command) const {
        auto argv = argv_;
        argv.insert(argv.begin() + 1, {"-b", source});
        argv.push_back(command);
        return argv;
    }
    const std::map<std::string, std::string>& login_env() const { return env_; }
    // A login from `source` running `command` (callable from any thread).
    RunResult login(const std::string& source, const std::string& command) const {
        return run(login_command(source, command), "", env_, kLoginTimeout);
    }

    // Successful authentications per replica, from the replicas' logs.
    std::vector<std::size_t> logins_per_replica() const {
        std::vector<std::size_t> counts;
        for (const auto& r : replicas) counts.push_back(lines_with(r.all_lines(), "SSH_AUTH_SUCCESSFUL").size());
        return counts;
    }

    TempDir dir;
    SharedHostKey host_key;
    HttpTestServer webhook;
    std::vector<Replica> replicas = std::vector<Replica>(3);
    std::unique_ptr<Haproxy> haproxy;  // after the replicas: it goes first
    std::string known_hosts = dir.file("known_hosts");

private:
    std::string config_body(Backend backend, const Replica& r) const {
        const std::string common = webhook_password_auth(webhook.url(), "5s") +
                                   "health:\n"
                                   "  enable: true\n"
                                   "  listen: \"127.0.0.1:" + std::to_string(r.health_port) + "\"\n";
        if (backend == Backend::docker) return common + docker::backend_config("connection");
        return common + local_backend() + audit_recorder(r.audit_file);
    }

    std::vector<std::string> argv_;
    std::map<std::string, std::string> env_;
};

struct LocalCluster : Cluster {
    LocalCluster() : Cluster(Backend::local) {}
};
struct LocalClusterV1 : Cluster {
    LocalClusterV1() : Cluster(Backend::local, "send-proxy") {}
};
struct DockerCluster : Cluster {
    DockerCluster() : Cluster(Backend::docker) {}
};

struct Login {
    std::string source;
    RunResult result;
};

// Logins printing SSH_CLIENT through HAProxy from the client addresses in
// turn, `parallel` at a time on threads of their own: `count` of them, or
// (count 0) until stop(). Results are only read after the threads ended, and
// Boost.Test is only called from the test's thread.
class LoginRun {
public:
    LoginRun(const Cluster& cluster, std::size_t count, std::size_t parallel) {
        for (std::size_t p = 0; p < parallel; ++p) {
            workers_.emplace_back([this, &cluster, count] {
                for (;;) {
                    const std::size_t i = next_++;
                    if (stop_ || (count != 0 && i >= count)) return;
                    const auto& source = kClientAddresses[i % kClientAddresses.size()];
                    auto result = cluster.login(source, "echo \"$SSH_CLIENT\"");
                    std::lock_guard lock(mutex_);
                    logins_.push_back({source, std::move(result)});
                    completed_ = logins_.size();
                }
            });
        }
    }
    ~LoginRun() { finish(); }
    LoginRun(const LoginRun&) = delete;
    LoginRun& operator=(const LoginRun&) = delete;

    std::size_t completed() const { return completed_; }
    // Waits for the run's end (asking it to end first when `stop`).
    std::vector<Login> finish(bool stop = false) {
        stop_ = stop_ || stop;
        for (auto& w : workers_) {
            if (w.joinable()) w.join();
        }
        return logins_;
    }

private:
    std::vector<std::thread> workers_;
    std::atomic<std::size_t> next_{0};
    std::atomic<std::size_t> completed_{0};
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    std::vector<Login> logins_;
};

// Every login exited 0 and printed SSH_CLIENT with its own source address
// and HAProxy's port as the port it connected to.
void check_logins(const std::vector<Login>& logins, int front_port) {
    std::size_t failed = 0;
    for (const auto& login : logins) {
        const bool ok = login.result.exit_code == 0 && starts_with(login.result.out, login.source + " ") &&
                        ends_with(login.result.out, " " + std::to_string(front_port) + "\n");
        if (!ok && ++failed <= 5) BOOST_ERROR("login from " << login.source << ": " << describe(login.result));
    }
    BOOST_TEST(failed == 0u, failed << " of " << logins.size() << " logins failed");
}

// The webhook saw each login's client: `per_source` password requests from
// each client address, none from HAProxy's.
void check_webhook_addresses(const HttpTestServer& webhook, std::size_t per_source) {
    std::map<std::string, std::size_t> sources;
    for (const auto& request : webhook.requests("/password")) {
        ++sources[address_part(json_string(request.body, "remoteAddress"))];
    }
    std::map<std::string, std::size_t> expected;
    for (const auto& address : kClientAddresses) expected[address] = per_source;
    BOOST_TEST(counts_text(sources) == counts_text(expected));
}

// The audit stream's connect events (type 0) of every replica: the count of
// each remote address ("127.0.0.2", ...).
std::map<std::string, std::size_t> audit_connect_sources(const Cluster& cluster) {
    std::map<std::string, std::size_t> sources;
    for (const auto& r : cluster.replicas) {
        std::istringstream lines(std::filesystem::exists(r.audit_file) ? read_file(r.audit_file) : std::string());
        simdjson::dom::parser parser;
        for (std::string line; std::getline(lines, line);) {
            simdjson::dom::element event;
            int64_t type = -1;
            if (parser.parse(line).get(event) != simdjson::SUCCESS || event["type"].get(type) != simdjson::SUCCESS ||
                type != 0) {
                continue;
            }
            ++sources[address_part(json_string(line, "remoteAddr", "payload"))];
        }
    }
    return sources;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(spread)

BOOST_FIXTURE_TEST_CASE(three_hundred_logins_spread_over_the_replicas_with_one_known_host, LocalCluster) {
    const auto start = std::chrono::steady_clock::now();
    const auto logins = LoginRun(*this, 300, 8).finish();
    BOOST_TEST_MESSAGE("300 logins, 8 at a time: "
                       << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start)
                              .count()
                       << " ms");
    BOOST_REQUIRE_EQUAL(logins.size(), 300u);
    check_logins(logins, haproxy->port());

    // Every replica served some; together, each login once.
    const auto counts = logins_per_replica();
    BOOST_TEST_MESSAGE("logins per replica: " << counts[0] << ", " << counts[1] << ", " << counts[2]);
    for (const auto count : counts) BOOST_TEST(count > 0u);
    BOOST_TEST(counts[0] + counts[1] + counts[2] == 300u);
    check_webhook_addresses(webhook, 100);
    for (const auto& r : replicas) {
        for (const auto& line : lines_with(r.gateway->lines(), "SSH_AUTH_SUCCESSFUL")) {
            BOOST_TEST(json_field(line, "remoteAddr") != "127.0.0.1", line);
        }
        BOOST_TEST(r.gateway->count("SSH_PROXY_PROTOCOL_INVALID") == 0u);
    }

    // The known_hosts check is in force: a gateway with a key of its own,
    // reached under the front end's name, is refused before any login.
    Gateway stranger(webhook_password_auth(webhook.url()) + local_backend());
    auto argv = ssh_command(stranger, kLogin,
                            {"-o", "HostKeyAlias=[127.0.0.1]:" + std::to_string(haproxy->port()), "-o",
                             "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + known_hosts, "-o",
                             "GlobalKnownHostsFile=/dev/null"},
                            {"echo reached"});
    const auto refused = run(argv, "", login_env(), kLoginTimeout);
    BOOST_TEST_INFO(describe(refused));
    BOOST_TEST(refused.exit_code == 255);
    BOOST_TEST(refused.out.empty());
    BOOST_TEST(refused.err.find("Host key verification failed") != std::string::npos);
    BOOST_TEST(webhook.requests("/password").size() == 300u);
}

// HAProxy's version 1 header (send-proxy): the same spread and addresses.
BOOST_FIXTURE_TEST_CASE(send_proxy_v1_logins_spread_and_keep_the_client_address, LocalClusterV1) {
    const auto logins = LoginRun(*this, 60, 8).finish();
    BOOST_REQUIRE_EQUAL(logins.size(), 60u);
    check_logins(logins, haproxy->port());
    const auto counts = logins_per_replica();
    for (const auto count : counts) BOOST_TEST(count > 0u);
    check_webhook_addresses(webhook, 20);
    for (const auto& r : replicas) {
        bool v1_seen = false;
        for (const auto& line : lines_with(r.gateway->lines(), "SSH_PROXY_PROTOCOL_ACCEPTED")) {
            v1_seen = v1_seen || json_field(line, "header") == "v1 TCP4";
        }
        BOOST_TEST(v1_seen);
    }
}

BOOST_FIXTURE_TEST_CASE(the_audit_stream_sees_the_client_address, LocalCluster) {
    const auto logins = LoginRun(*this, 30, 6).finish();
    check_logins(logins, haproxy->port());
    // Each login's connect event, with its client's address, never HAProxy's.
    std::map<std::string, std::size_t> expected;
    for (const auto& address : kClientAddresses) expected[address] = 10;
    std::map<std::string, std::size_t> seen;
    BOOST_TEST(eventually(
        [&] {
            seen = audit_connect_sources(*this);
            return seen == expected;
        },
        10s));
    BOOST_TEST(counts_text(seen) == counts_text(expected));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(trust)

// 127.0.0.5 is outside every replica's proxyProtocolAllowedCIDRs: its header
// claiming to relay 203.0.113.9 is refused before the key exchange, and the
// claimed address reaches neither the log nor the webhook.
BOOST_FIXTURE_TEST_CASE(a_header_from_an_untrusted_address_is_refused, LocalCluster) {
    for (const auto& r : replicas) {
        const int fd = connect_from("127.0.0.5", r.ssh_port);
        const std::string header = "PROXY TCP4 203.0.113.9 127.0.0.1 40000 22\r\nSSH-2.0-Spoof\r\n";
        BOOST_REQUIRE(::send(fd, header.data(), header.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(header.size()));
        // Closed without a key exchange (the replica's version line may
        // come first: to a peer outside the range it is an SSH server).
        std::string answer;
        BOOST_TEST(closed_within(fd, 10s, &answer));
        BOOST_TEST(answer.find("curve25519") == std::string::npos, "the replica offered a key exchange");
        ::close(fd);
        const auto refused = r.gateway->wait_for("SSH_PROXY_PROTOCOL_UNTRUSTED");
        BOOST_REQUIRE(!refused.empty());
        BOOST_TEST(json_field(refused, "remoteAddr") == "127.0.0.5", refused);
        BOOST_TEST(r.gateway->count("SSH_PROXY_PROTOCOL_UNTRUSTED") == 1u);
        BOOST_TEST(r.gateway->count("SSH_AUTH_SUCCESSFUL") == 0u);
        for (const auto& line : r.gateway->lines()) BOOST_TEST(line.find("203.0.113.9") == std::string::npos, line);
    }
    BOOST_TEST(webhook.requests("/password").empty());
    // HAProxy's connections are still trusted.
    const auto through = login("127.0.0.2", "echo \"$SSH_CLIENT\"");
    BOOST_TEST_INFO(describe(through));
    BOOST_TEST(through.exit_code == 0);
    BOOST_TEST(starts_with(through.out, "127.0.0.2 "));
}

// A replica started with a key other than the fingerprinted one refuses to
// start (ssh.hostKeyFingerprints), so it never joins the pool.
BOOST_AUTO_TEST_CASE(a_replica_with_another_host_key_refuses_to_start) {
    SharedHostKey host_key;
    HttpTestServer webhook;
    TempDir stray;
    const auto config = write_gateway_config(stray.path(), webhook_password_auth(webhook.url()) + local_backend(),
                                             true, {"hostKeyFingerprints: [\"" + host_key.fingerprint() + "\"]"});
    const auto r = run_gateway({"--config", config.string()});
    BOOST_TEST_INFO(r.out + r.err);
    BOOST_TEST(r.exit_code != 0);
    BOOST_TEST((r.out + r.err).find("CORE_HOST_KEY_FINGERPRINT_MISMATCH") != std::string::npos);
    BOOST_TEST((r.out + r.err).find(host_key.fingerprint()) != std::string::npos);
    BOOST_TEST((r.out + r.err).find("SSH_AVAILABLE") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(replica_faults)

// SIGTERM drains a replica: its health endpoint answers 503 at once (HAProxy
// takes it out), its listener closes (a connection HAProxy still sends it is
// refused and redispatched), the sessions it serves run to their end, then
// it exits 0. Logins keep running through HAProxy all along; none fails.
BOOST_FIXTURE_TEST_CASE(sigterm_drains_a_replica_without_a_failed_login, LocalCluster) {
    // Sessions through HAProxy that outlive the SIGTERM by some seconds,
    // started while nothing else logs in, so each replica's successful
    // logins so far are its sessions.
    const std::string long_command = "echo started; sleep 8; echo done";
    std::vector<std::unique_ptr<Child>> sessions;
    for (std::size_t i = 0; i < 6; ++i) {
        sessions.push_back(std::make_unique<Child>(login_command(kClientAddresses[i % kClientAddresses.size()],
                                                                 long_command),
                                                   login_env(), dir.file("session-" + std::to_string(i) + ".stderr")));
    }
    for (auto& session : sessions) {
        std::string line;
        BOOST_REQUIRE(session->read_line(line, 60s));
        BOOST_REQUIRE_EQUAL(line, "started");
    }
    // The victim: the replica serving the most of them (at least one).
    const auto sessions_per_replica = logins_per_replica();
    const auto victim = std::size_t(std::max_element(sessions_per_replica.begin(), sessions_per_replica.end()) -
                                    sessions_per_replica.begin());
    BOOST_TEST_MESSAGE("sessions per replica: " << sessions_per_replica[0] << ", " << sessions_per_replica[1] << ", "
                                                << sessions_per_replica[2] << "; the victim is replica " << victim);
    BOOST_REQUIRE(sessions_per_replica[victim] >= 1u);

    LoginRun background(*this, 0, 4);
    BOOST_REQUIRE(eventually([&] { return background.completed() >= 6; }, 60s));
    auto& draining = *replicas[victim].gateway;
    const std::string victim_name = "s" + std::to_string(victim);

    BOOST_REQUIRE_EQUAL(::kill(draining.pid(), SIGTERM), 0);
    // HAProxy takes it out on its health endpoint's answer while it still
    // runs (its sessions are sleeping), not because it is gone.
    Haproxy::ServerState state;
    bool running_when_out = false;
    BOOST_TEST(eventually(
        [&] {
            state = haproxy->servers()[victim_name];
            running_when_out = draining.running();
            return starts_with(state.status, "DOWN");
        },
        10s));
    BOOST_TEST(running_when_out);
    BOOST_TEST(state.check_status == "L7STS", "check status " << state.check_status);

    // Every session on every replica printed its last line and exited 0.
    for (std::size_t i = 0; i < sessions.size(); ++i) {
        std::string line;
        BOOST_TEST(sessions[i]->read_line(line, 30s), "session " << i << " printed nothing more");
        BOOST_TEST(line == "done", "session " << i);
        BOOST_TEST(sessions[i]->stop(0, 30s) == 0, "session " << i << ": " << read_file(dir.file(
                                                       "session-" + std::to_string(i) + ".stderr")));
    }
    // The drained replica exits 0 on its own (signal 0 only waits).
    BOOST_TEST(eventually([&] { return !draining.running(); }, 30s));
    BOOST_TEST(draining.stop(0) == 0);
    // It drained to the end: its connections ended by themselves, none was
    // cut at the deadline.
    BOOST_TEST(draining.count("SERVICE_POOL_DRAINING") == 1u);
    BOOST_TEST(draining.count("SERVICE_POOL_DRAINED") == 1u);
    BOOST_TEST(draining.count("SERVICE_POOL_DRAIN_TIMEOUT") == 0u);

    // Logins go on for a while with the replica gone; none of the run failed.
    const auto at_exit = background.completed();
    BOOST_TEST(eventually([&] { return background.completed() >= at_exit + 10; }, 60s));
    const auto logins = background.finish(true);
    BOOST_TEST_MESSAGE(logins.size() << " logins during the drain");
    check_logins(logins, haproxy->port());
}

// A SIGKILLed replica's users leave Docker containers behind. The other
// replicas share the engine but have other instance ids: restarted (their
// orphan collector runs at start-up; Docker's next round is 5 minutes away
// and no setting shortens it), each removes its own orphans and none of the
// victim's. The victim, restarted on its listen address, removes its own,
// once.
BOOST_FIXTURE_TEST_CASE(a_killed_replica_s_containers_are_its_own_to_remove, DockerCluster) {
    std::vector<std::string> instances;
    for (const auto& r : replicas) {
        instances.push_back(json_field(r.gateway->wait_for("DOCKER_BACKEND_READY"), "instance"));
        BOOST_REQUIRE(!instances.back().empty());
    }
    BOOST_REQUIRE_EQUAL(std::set<std::string>(instances.begin(), instances.end()).size(), 3u);
    const auto containers_of = [&](std::size_t replica) {
        return docker::containers_labelled("containerssh_instance=" + instances[replica]);
    };

    // Sessions through HAProxy until every replica has a user's container.
    std::vector<std::unique_ptr<Child>> sessions;
    const auto every_replica_has_one = [&] {
        for (std::size_t i = 0; i < replicas.size(); ++i) {
            if (containers_of(i).empty()) return false;
        }
        return true;
    };
    while (sessions.size() < 6 && (sessions.empty() || !every_replica_has_one())) {
        const auto n = sessions.size();
        sessions.push_back(std::make_unique<Child>(
            login_command(kClientAddresses[n % kClientAddresses.size()], "echo started; exec sleep 600"), login_env(),
            dir.file("session-" + std::to_string(n) + ".stderr")));
        std::string line;
        BOOST_REQUIRE_MESSAGE(sessions.back()->read_line(line, kLoginTimeout) && line == "started",
                              read_file(dir.file("session-" + std::to_string(n) + ".stderr")));
    }
    BOOST_REQUIRE(every_replica_has_one());
    std::vector<std::vector<std::string>> before;
    for (std::size_t i = 0; i < replicas.size(); ++i) before.push_back(containers_of(i));
    const auto victims_containers = before[0];
    // The backend saw the client's address too: the containers' label.
    for (const auto& id : victims_containers) {
        const auto label = docker::cli({"inspect", "--format", "{{index .Config.Labels \"containerssh_ip\"}}", id});
        BOOST_TEST(label.exit_code == 0, label.err);
        const auto address = trimmed(label.out);
        BOOST_TEST((std::find(kClientAddresses.begin(), kClientAddresses.end(), address) != kClientAddresses.end()),
                   "containerssh_ip " << address);
    }
    BOOST_TEST_MESSAGE(sessions.size() << " sessions; containers per replica: " << before[0].size() << ", "
                                       << before[1].size() << ", " << before[2].size());

    // Replica 0 dies; what its users had stays.
    BOOST_REQUIRE_EQUAL(replicas[0].gateway->stop(SIGKILL), 128 + SIGKILL);
    replicas[0].forget_run();
    BOOST_TEST(containers_of(0) == victims_containers);
    // Its users' connections went with it (one container each; ssh says
    // 255); the other users' sessions go on.
    const auto ended_with_255 = [&] {
        std::size_t ended = 0;
        for (auto& session : sessions) ended += session->exited() == std::optional<int>(255) ? 1 : 0;
        return ended;
    };
    BOOST_TEST(eventually([&] { return ended_with_255() == victims_containers.size(); }, 30s));
    std::size_t still_running = 0;
    for (auto& session : sessions) still_running += session->exited().has_value() ? 0 : 1;
    BOOST_TEST(still_running == sessions.size() - victims_containers.size());

    // Logins go on through the others meanwhile.
    for (const auto& source : {"127.0.0.2", "127.0.0.3"}) {
        const auto alive = login(source, "echo alive");
        BOOST_TEST_INFO(describe(alive));
        BOOST_TEST(alive.exit_code == 0);
        BOOST_TEST(alive.out == "alive\n");
    }

    // The others restart (killed too, so they have orphans of their own to
    // show that their collector ran) and never touch the victim's.
    for (std::size_t i = 1; i < replicas.size(); ++i) {
        BOOST_REQUIRE_EQUAL(replicas[i].gateway->stop(SIGKILL), 128 + SIGKILL);
        replicas[i].forget_run();
        replicas[i].start();
        BOOST_TEST(json_field(replicas[i].gateway->wait_for("DOCKER_BACKEND_READY"), "instance") == instances[i]);
        std::set<std::string> removed;
        BOOST_TEST(eventually(
            [&] {
                removed.clear();
                for (const auto& line : lines_with(replicas[i].gateway->lines(), "DOCKER_ORPHAN_REMOVED")) {
                    removed.insert(json_field(line, "containerId"));
                }
                return removed.size() >= before[i].size();
            },
            60s));
        BOOST_TEST(removed == std::set<std::string>(before[i].begin(), before[i].end()),
                   boost::test_tools::per_element());
        BOOST_TEST(eventually([&] { return containers_of(i).empty(); }, 30s));
        BOOST_TEST(containers_of(0) == victims_containers);
    }

    // The victim is back on its address, with its instance id: its
    // containers go, each removed once by it alone.
    replicas[0].start();
    BOOST_TEST(json_field(replicas[0].gateway->wait_for("DOCKER_BACKEND_READY"), "instance") == instances[0]);
    BOOST_TEST(eventually([&] { return containers_of(0).empty(); }, 60s));
    std::map<std::string, std::size_t> removals;  // of the victim's containers, by any replica
    for (const auto& r : replicas) {
        for (const auto& line : lines_with(r.all_lines(), "DOCKER_ORPHAN_REMOVED")) {
            const auto id = json_field(line, "containerId");
            if (std::find(victims_containers.begin(), victims_containers.end(), id) != victims_containers.end()) {
                ++removals[id];
            }
        }
    }
    std::map<std::string, std::size_t> once;
    for (const auto& id : victims_containers) once[id] = 1;
    BOOST_TEST(counts_text(removals) == counts_text(once));
    BOOST_TEST(lines_with(replicas[0].gateway->lines(), "DOCKER_ORPHAN_REMOVED").size() == victims_containers.size());

    // All three serve again.
    BOOST_TEST(haproxy->wait_all_up());
    const auto after = login("127.0.0.4", "echo after");
    BOOST_TEST_INFO(describe(after));
    BOOST_TEST(after.exit_code == 0);
    BOOST_TEST(after.out == "after\n");
}

BOOST_AUTO_TEST_SUITE_END()
