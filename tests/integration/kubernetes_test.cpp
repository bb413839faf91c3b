// The Kubernetes backend end to end: the real OpenSSH client (ssh, sftp)
// talks to the real gateway, which runs the programs in pods of the test
// API server (tests/kube-api-server: pods are containers of the shared
// Docker engine, exec and attach go over WebSocket). What every backend must
// do is the backend conformance suite's (tests/conformance/backend, run
// against Kubernetes in both modes); this suite keeps what a user of the
// Kubernetes backend sees: the pods and their labels in the three modes,
// output and exit codes through real clients, metadata, and the faults of a
// cluster (the API server going away, pods deleted from outside, images
// that cannot be pulled, pods that cannot be scheduled, gateways killed,
// replicas sharing a namespace).
//
// One API server serves the suite; the tests that stop it have their own.
// Each test has its own gateway and user name (so its pods are told apart by
// the containerssh_username label), prints the gateway's log when it fails,
// and ends by checking that the backend deleted every pod it created.
#define BOOST_TEST_MODULE integration_kubernetes
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "harness/docker.hpp"
#include "harness/gateway.hpp"
#include "harness/kube_api.hpp"
#include "harness/loopback.hpp"
#include "harness/probes.hpp"

#include <http_test_server.hpp>

#include <simdjson.h>

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>

using namespace csh::test;
namespace kube = csh::test::kube;
namespace data = boost::unit_test::data;

namespace {

const std::vector<std::string> kModes{"connection", "session"};
constexpr auto kSshTimeout = std::chrono::seconds(120);

bool is_lower_hex(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// The suite's API server, started once (a global fixture) and stopped with
// every pod container when the suite ends.
struct SharedApiServer {
    SharedApiServer() { instance() = std::make_unique<kube::KubeApiServer>(); }
    ~SharedApiServer() { instance().reset(); }
    static std::unique_ptr<kube::KubeApiServer>& instance() {
        static std::unique_ptr<kube::KubeApiServer> server;
        return server;
    }
};
kube::KubeApiServer& shared_api() { return *SharedApiServer::instance(); }

// Environment variables the gateways started in its scope inherit (the
// plugin's test-only timing overrides); restored when it goes.
class ScopedEnvironment {
public:
    explicit ScopedEnvironment(std::map<std::string, std::string> values) : values_(std::move(values)) {
        for (const auto& [name, value] : values_) ::setenv(name.c_str(), value.c_str(), 1);
    }
    ~ScopedEnvironment() {
        for (const auto& [name, value] : values_) ::unsetenv(name.c_str());
    }

private:
    std::map<std::string, std::string> values_;
};

// `text` as a YAML literal block, each line indented by `indent` spaces.
std::string yaml_block(const std::string& text, int indent) {
    std::string out = "|\n";
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) out += std::string(static_cast<size_t>(indent), ' ') + line + "\n";
    return out;
}

// What a test changes in the kubernetes section.
struct KubeSettings {
    std::string mode = "connection";
    std::string ns = "default";
    std::string image;  // the guest image when empty
    std::string pull_policy = "Never";
    std::string pod_extra;        // YAML lines under pod (4 spaces)
    std::string metadata_extra;   // YAML lines under pod.metadata (6 spaces)
    std::string container_extra;  // YAML lines under the console container (10 spaces)
    std::string spec_extra;       // YAML lines under pod.spec (6 spaces)
    std::string timeouts = "    podStop: 5s\n";
};

std::string kubernetes_section(const kube::KubeApiServer& api, const KubeSettings& s) {
    return "backend: kubernetes\n"
           "kubernetes:\n"
           "  connection:\n"
           "    host: " + api.url() + "\n"
           "    cacert: " + yaml_block(api.ca_pem(), 6) +
           "    cert: " + yaml_block(api.client_cert_pem(), 6) +
           "    key: " + yaml_block(api.client_key_pem(), 6) +
           "  pod:\n"
           "    mode: " + s.mode + "\n" + s.pod_extra +
           "    metadata:\n"
           "      namespace: " + s.ns + "\n" + s.metadata_extra +
           "    spec:\n" + s.spec_extra +
           "      containers:\n"
           "        - name: shell\n"
           "          image: " + (s.image.empty() ? docker::guest_image() : s.image) + "\n"
           "          imagePullPolicy: " + s.pull_policy + "\n" + s.container_extra +
           "  timeouts:\n" + s.timeouts;
}

struct Pod {
    std::string name;
    std::string ns;
    bool deleting = false;
    std::map<std::string, std::string> labels;
    std::map<std::string, std::string> annotations;
};

std::map<std::string, std::string> string_map(simdjson::dom::element value) {
    std::map<std::string, std::string> out;
    simdjson::dom::object object;
    if (value.get(object) != simdjson::SUCCESS) return out;
    for (auto field : object) {
        std::string_view text;
        if (field.value.get(text) == simdjson::SUCCESS) out.emplace(std::string(field.key), std::string(text));
    }
    return out;
}

// The pods of `ns` matching `selector`. Throws when the server does not
// answer, so a server that is down never reads as "no pods".
std::vector<Pod> list_pods(const kube::KubeApiServer& api, const std::string& ns, const std::string& selector) {
    const std::string json = api.pods_json(ns, selector);
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    simdjson::dom::array items;
    if (parser.parse(json).get(root) != simdjson::SUCCESS ||
        root["items"].get_array().get(items) != simdjson::SUCCESS) {
        throw std::runtime_error("cannot read the pods: " + json);
    }
    std::vector<Pod> pods;
    for (simdjson::dom::element item : items) {
        Pod pod;
        std::string_view text;
        if (item["metadata"]["name"].get(text) == simdjson::SUCCESS) pod.name = std::string(text);
        if (item["metadata"]["namespace"].get(text) == simdjson::SUCCESS) pod.ns = std::string(text);
        pod.deleting = item["metadata"]["deletionTimestamp"].error() == simdjson::SUCCESS;
        pod.labels = string_map(item["metadata"]["labels"]);
        pod.annotations = string_map(item["metadata"]["annotations"]);
        pods.push_back(std::move(pod));
    }
    return pods;
}

std::vector<std::string> names(const std::vector<Pod>& pods) {
    std::vector<std::string> out;
    for (const auto& pod : pods) out.push_back(pod.name);
    return out;
}

// Polls until no pod matches; returns what is left.
std::vector<Pod> wait_until_no_pods(const kube::KubeApiServer& api, const std::string& ns, const std::string& selector,
                                    std::chrono::seconds patience = std::chrono::seconds(60)) {
    const auto deadline = std::chrono::steady_clock::now() + patience;
    auto left = list_pods(api, ns, selector);
    while (!left.empty() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
        left = list_pods(api, ns, selector);
    }
    return left;
}

std::string auth_yaml(const std::string& user, const std::string& password) {
    return "auth:\n"
           "  password:\n"
           "    method: static\n"
           "    static:\n"
           "      users:\n"
           "        " + user + ":\n"
           "          password: \"" + password + "\"\n";
}

// A gateway with the static password auth plugin and the Kubernetes backend
// on `api`. The gateway is held by pointer so a test can kill it and start
// another on the same address.
class KubeGateway {
public:
    KubeGateway(kube::KubeApiServer& api, KubeSettings settings = {}, std::vector<std::string> ssh_settings = {})
        : api_(api),
          settings_(std::move(settings)),
          ssh_settings_(std::move(ssh_settings)),
          user_("kube" + random_hex(10)) {
        start();
    }

    // Prints the gateway's log when the test failed, then deletes whatever
    // pods of this user the test left so failures do not pile up.
    ~KubeGateway() {
        if (current_test_failed()) {
            std::cerr << "---- gateway log (" << user_ << ") ----\n" << log() << "---- end of gateway log ----\n";
        }
        try {
            if (api_.running()) {
                api_.kubectl("1.33", {"delete", "pods", "-n", settings_.ns, "-l", selector(), "--grace-period=0",
                                      "--force", "--wait=false"});
            }
        } catch (const std::exception& e) {
            std::cerr << "cannot clean up the pods of " << user_ << ": " << e.what() << "\n";
        }
    }

    void start() {
        gateway_ = std::make_unique<Gateway>(auth_yaml(user_, password_) + kubernetes_section(api_, settings_), true,
                                             ssh_settings_);
    }

    const std::string& user() const { return user_; }
    const std::string& password() const { return password_; }
    const std::string& ns() const { return settings_.ns; }
    Gateway& gateway() { return *gateway_; }
    std::unique_ptr<Gateway>& gateway_ptr() { return gateway_; }
    SshLogin login() const { return {user_, password_, {}}; }
    std::string selector() const { return "containerssh_username=" + user_; }
    std::vector<Pod> pods() const { return list_pods(api_, settings_.ns, selector()); }
    std::string instance() { return json_field(gateway_->wait_for("KUBERNETES_BACKEND_READY"), "instance"); }

    RunResult ssh(const std::vector<std::string>& options, const std::vector<std::string>& command,
                  const std::string& input = "") {
        return run(ssh_command(*gateway_, login(), options, command), input, ssh_env(*gateway_, login()),
                   kSshTimeout);
    }

    std::vector<Pod> wait_until_no_pods(std::chrono::seconds patience = std::chrono::seconds(60)) const {
        return ::wait_until_no_pods(api_, settings_.ns, selector(), patience);
    }

    // Polls until `count` pods of this user exist; returns them.
    std::vector<Pod> wait_for_pods(size_t count) const {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        auto found = pods();
        while (found.size() != count && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
            found = pods();
        }
        return found;
    }

    std::string log() const {
        std::string text;
        if (gateway_) {
            for (const auto& line : gateway_->lines()) text += line + "\n";
        }
        return text;
    }

private:
    kube::KubeApiServer& api_;
    KubeSettings settings_;
    std::vector<std::string> ssh_settings_;
    std::string user_;
    std::string password_ = "kubernetes sessions";
    std::unique_ptr<Gateway> gateway_;
};

// Every test ends with its clients gone; the backend must then have deleted
// every pod it created for the test.
void expect_no_pods_left(const KubeGateway& g) {
    const auto left = g.wait_until_no_pods();
    BOOST_TEST_INFO("pods left behind: " << left.size());
    BOOST_TEST(left.empty());
}

// An ssh session left running while the test does something to it: its
// stdout read line by line, its stdin written by the test, its stderr kept
// in a file for the assertions.
class BackgroundSsh {
public:
    BackgroundSsh(KubeGateway& g, const std::vector<std::string>& options, const std::string& command) {
        auto argv = ssh_command(g.gateway(), g.login(), options, {command});
        argv.insert(argv.begin(), {"sh", "-c", "exec \"$@\" 2>\"$0\"", dir_.file("stderr")});
        child_ = std::make_unique<Child>(argv, ssh_env(g.gateway(), g.login()));
    }
    // True once `expected` was printed as a line.
    bool wait_line(const std::string& expected, std::chrono::seconds patience = kSshTimeout) {
        std::string line;
        while (child_->read_line(line, patience)) {
            if (line == expected) return true;
        }
        return false;
    }
    bool send(const std::string& text) {
        return ::write(child_->stdin_fd(), text.data(), text.size()) == static_cast<ssize_t>(text.size());
    }
    void close_input() { child_->close_stdin(); }
    // The exit code once ssh ends, or -1 if it has not ended within `patience`.
    int wait_exit(std::chrono::seconds patience = kSshTimeout) { return child_->stop(0, patience); }
    std::string err() const { return read_file(dir_.file("stderr")); }

private:
    TempDir dir_;
    std::unique_ptr<Child> child_;
};

std::string sha256_of(const TempDir& dir, const std::string& name, const std::string& bytes) {
    write_file(dir.path() / name, bytes);
    return run({"sha256sum", dir.file(name)}).out.substr(0, 64);
}

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(BrokenPipesDoNotKill);
BOOST_TEST_GLOBAL_FIXTURE(SharedApiServer);

BOOST_AUTO_TEST_SUITE(sessions)

// ssh user@gw 'echo out; echo err >&2; exit 3': the exact bytes on each
// stream and the exit code; while a connection is open its pod carries the
// connection's labels and the client's address; after it, the pod is gone.
BOOST_AUTO_TEST_CASE(connection_mode_streams_exit_code_and_the_pod_labels) {
    KubeGateway g(shared_api());
    const auto r = g.ssh({}, {"echo out; echo err >&2; exit 3"});
    BOOST_TEST_CONTEXT(describe(r)) {
        BOOST_TEST(r.out == "out\n");
        BOOST_TEST(r.err == "err\n");
        BOOST_TEST(r.exit_code == 3);
    }
    expect_no_pods_left(g);

    BackgroundSsh held(g, {"-T"}, "echo out; echo err >&2; read line; exit 3");
    BOOST_REQUIRE(held.wait_line("out"));
    const auto pods = g.wait_for_pods(1);
    BOOST_TEST_REQUIRE(pods.size() == 1u);
    const Pod& pod = pods.front();
    auto label = [&pod](const std::string& key) { return pod.labels.count(key) ? pod.labels.at(key) : std::string(); };
    const auto connection_id = label("containerssh_connection_id");
    BOOST_TEST(connection_id.size() == 32u);
    BOOST_TEST(is_lower_hex(connection_id));
    BOOST_TEST(label("containerssh_username") == g.user());
    const auto instance = g.instance();
    BOOST_TEST(!instance.empty());
    BOOST_TEST(label("containerssh_instance") == instance);
    BOOST_TEST((pod.annotations.count("containerssh_ip") ? pod.annotations.at("containerssh_ip") : "") == "127.0.0.1");
    // The label names the same connection as the gateway's log.
    std::string auth_id;
    for (const auto& line : g.gateway().lines()) {
        if (line.find("\"code\":\"SSH_AUTH_SUCCESSFUL\"") != std::string::npos) {
            auth_id = json_field(line, "connectionId");
        }
    }
    BOOST_TEST(auth_id == connection_id);

    BOOST_REQUIRE(held.send("\n"));
    BOOST_TEST(held.wait_exit() == 3);
    BOOST_TEST(held.err() == "err\n");
    expect_no_pods_left(g);
}

BOOST_DATA_TEST_CASE(sixteen_mebibytes_of_stdin_come_back_unchanged, data::make(kModes), mode) {
    KubeGateway g(shared_api(), KubeSettings{mode});
    TempDir dir;
    const auto input = random_bytes(16u << 20);
    const auto r = g.ssh({}, {"cat"}, input);
    BOOST_TEST_CONTEXT("exit " << r.exit_code << ", " << r.out.size() << " bytes back, stderr: " << r.err) {
        BOOST_TEST(r.exit_code == 0);
        BOOST_TEST(r.out.size() == input.size());
        BOOST_TEST(sha256_of(dir, "back.bin", r.out) == sha256_of(dir, "sent.bin", input));
    }
    expect_no_pods_left(g);
}

// A terminal: the program's stdin is a /dev/pts device of the size the
// client asked for, and the client's window changes reach it.
BOOST_DATA_TEST_CASE(a_pty_has_the_clients_size_and_follows_window_changes, data::make(kModes), mode) {
    KubeGateway g(shared_api(), KubeSettings{mode});
    const auto tty = g.ssh({"-tt"}, {"tty"});
    BOOST_TEST_CONTEXT(describe(tty)) {
        BOOST_TEST(tty.exit_code == 0);
        BOOST_TEST(tty.out.rfind("/dev/pts/", 0) == 0u);
    }
    // window_change.py runs ssh under a 24x80 pty, then resizes it to 40x100.
    auto argv = ssh_command(g.gateway(), g.login(), {"-tt"}, {});
    argv.insert(argv.begin(), client_script("window_change.py"));
    const auto r = run(argv, "", ssh_env(g.gateway(), g.login()), kSshTimeout);
    BOOST_TEST_CONTEXT(describe(r)) {
        BOOST_TEST(r.exit_code == 0);
        BOOST_TEST(r.out == "24 80\n40 100\n");
    }
    expect_no_pods_left(g);
}

BOOST_DATA_TEST_CASE(sftp_put_and_get_are_byte_identical, data::make(kModes), mode) {
    KubeGateway g(shared_api(), KubeSettings{mode});
    TempDir dir;
    const auto upload = random_bytes(4u << 20);
    write_file(dir.path() / "up.bin", upload);
    write_file(dir.path() / "batch",
               "put " + dir.file("up.bin") + " sftp-test.bin\nget sftp-test.bin " + dir.file("down.bin") + "\n");
    // sftp takes ssh's options, except that the port is -P; -b implies
    // BatchMode=yes, which would stop the askpass password, so the test's
    // BatchMode=no goes first (ssh keeps the first value of an option).
    auto argv = ssh_command(g.gateway(), g.login(), {"-o", "BatchMode=no", "-b", dir.file("batch")}, {});
    argv[0] = "sftp";
    for (size_t i = 1; i + 1 < argv.size(); ++i) {
        if (argv[i] == "-p") argv[i] = "-P";
    }
    const auto r = run(argv, "", ssh_env(g.gateway(), g.login()), kSshTimeout);
    BOOST_TEST_CONTEXT(describe(r)) {
        BOOST_TEST(r.exit_code == 0);
        BOOST_TEST_REQUIRE(std::filesystem::exists(dir.path() / "down.bin"));
        const auto down = read_file(dir.path() / "down.bin");
        BOOST_TEST(down.size() == upload.size());
        BOOST_TEST((down == upload));
    }
    expect_no_pods_left(g);
}

// SIGTERM to a program that traps it: its exit status comes back (the
// signal goes through the guest agent's signal command in the pod).
BOOST_AUTO_TEST_CASE(a_trapped_term_gives_the_programs_exit_status) {
    KubeGateway g(shared_api());
    const auto r = run({client_script("send_signal.py"), std::to_string(g.gateway().port()), g.user(), g.password(),
                        "trap 'exit 42' TERM; echo ready; sleep 600 </dev/null >/dev/null 2>&1 & wait", "TERM"},
                       "", {}, kSshTimeout);
    BOOST_TEST_CONTEXT(describe(r)) {
        BOOST_TEST(r.exit_code == 0);
        BOOST_TEST(r.out == "exit-status 42\n");
    }
    BOOST_TEST(!g.gateway().wait_for("KUBERNETES_EXEC_SIGNAL").empty());
    expect_no_pods_left(g);
}

// Session mode: every session channel gets a pod of its own (the two
// hostnames differ, two pods exist while both run).
BOOST_AUTO_TEST_CASE(session_mode_gives_each_session_its_own_pod) {
    KubeGateway g(shared_api(), KubeSettings{"session"});
    Child c({client_script("two_sessions.py"), std::to_string(g.gateway().port()), g.user(), g.password(),
             "hostname; exec cat"});
    std::string first, second, open;
    BOOST_REQUIRE(c.read_line(first, kSshTimeout));
    BOOST_REQUIRE(c.read_line(second, kSshTimeout));
    BOOST_REQUIRE(c.read_line(open, kSshTimeout));
    BOOST_TEST(open == "open");
    BOOST_TEST_REQUIRE(first.rfind("first ", 0) == 0u);
    BOOST_TEST_REQUIRE(second.rfind("second ", 0) == 0u);
    BOOST_TEST(first.substr(6) != second.substr(7));
    const auto pods = g.wait_for_pods(2);
    BOOST_TEST(pods.size() == 2u);
    if (pods.size() == 2u) {
        BOOST_TEST(pods[0].labels.at("containerssh_connection_id") == pods[1].labels.at("containerssh_connection_id"));
    }
    const char newline = '\n';
    BOOST_REQUIRE(::write(c.stdin_fd(), &newline, 1) == 1);
    std::string closed;
    BOOST_REQUIRE(c.read_line(closed, kSshTimeout));
    BOOST_TEST(closed == "closed 0 0");
    std::string rest;
    while (c.read_line(rest, kSshTimeout)) {
    }
    BOOST_TEST(c.stop(SIGTERM, std::chrono::seconds(30)) == 0);
    expect_no_pods_left(g);
}

// The client's environment (SetEnv) reaches the program: through the
// agent's --env in connection mode, the container's env in session mode.
BOOST_DATA_TEST_CASE(the_clients_environment_reaches_the_program, data::make(kModes), mode) {
    KubeGateway g(shared_api(), KubeSettings{mode});
    const auto r = g.ssh({"-o", "SetEnv=KUBE_TEST_VALUE=\"two words\""}, {"echo \"[$KUBE_TEST_VALUE]\""});
    BOOST_TEST_CONTEXT(describe(r)) {
        BOOST_TEST(r.exit_code == 0);
        BOOST_TEST(r.out == "[two words]\n");
    }
    expect_no_pods_left(g);
}

// The auth webhook's environment reaches the program in both modes, and its
// files are written by the agent's write-file (mode 0600): into the
// connection's pod before the first session, and in session mode into each
// session's pod while the agent holds the program back (ContainerSSH's
// Kubernetes backend does so too; its Docker backend does not).
BOOST_DATA_TEST_CASE(webhook_environment_and_files_reach_the_pod, data::make(kModes), mode) {
    HttpTestServer server;
    server.respond("/password", {200, R"({"success": true,
        "environment": {"TEAM": {"value": "ops", "sensitive": false}},
        "files": {"/tmp/from-auth.txt": {"value": "aGVsbG8gZmlsZQo=", "sensitive": true}}})"});
    const std::string user = "kmeta" + random_hex(10);
    Gateway gateway("auth:\n  password:\n    method: webhook\n    webhook:\n      url: " + server.url() + "\n" +
                    kubernetes_section(shared_api(), KubeSettings{mode}));
    const std::string command = "echo team=$TEAM; cat /tmp/from-auth.txt; stat -c %a /tmp/from-auth.txt";
    const auto r = ssh(gateway, {user, "any password", {}}, {}, {command}, "", kSshTimeout);
    BOOST_TEST_CONTEXT(describe(r)) {
        BOOST_TEST(r.exit_code == 0);
        BOOST_TEST(r.out == "team=ops\nhello file\n600\n");
    }
    BOOST_TEST(!gateway.wait_for("KUBERNETES_FILE_WRITE").empty());
    BOOST_TEST(gateway.count("KUBERNETES_FILE_WRITE_FAILED") == 0u);
    BOOST_TEST(wait_until_no_pods(shared_api(), "default", "containerssh_username=" + user).empty());
    if (current_test_failed()) {
        for (const auto& line : gateway.lines()) std::cerr << line << "\n";
    }
}

// ContainerSSH's issue 209 section (certFile naming the service account's
// CA, bearerTokenFile its token, the CA again in cacert, a hostPath volume)
// starts, and a login sees the host directory mounted.
BOOST_AUTO_TEST_CASE(the_issue_209_section_starts_and_mounts_its_host_path) {
    kube::KubeApiServer& api = shared_api();
    TempDir dir;
    const auto host_dir = dir.path() / "home";
    std::filesystem::create_directories(host_dir);
    write_file(host_dir / "marker.txt", "from the host\n");
    write_file(dir.path() / "ca.crt", api.ca_pem());
    write_file(dir.path() / "token", api.token());

    std::string section = read_file(std::string(CSH_TESTDATA_DIR) + "/containerssh/config-issue-209.yaml");
    auto replace = [&section](const std::string& from, const std::string& to) {
        const auto at = section.find(from);
        BOOST_TEST_REQUIRE(at != std::string::npos, "the issue 209 file holds " << from);
        section.replace(at, from.size(), to);
    };
    std::string ca_lines;
    {
        std::istringstream in(api.ca_pem());
        std::string line;
        bool first = true;
        while (std::getline(in, line)) {
            ca_lines += (first ? "" : "\n    ") + line;
            first = false;
        }
    }
    replace("<cacert>", ca_lines);
    replace("/var/run/secrets/kubernetes.io/serviceaccount/ca.crt", dir.file("ca.crt"));
    replace("/var/run/secrets/kubernetes.io/serviceaccount/token", dir.file("token"));
    replace("connection:\n", "connection:\n  host: " + api.url() + "\n");
    replace("path: /home/ubuntu", "path: " + host_dir.string());
    replace("image: containerssh/containerssh-guest-image",
            "image: " + docker::guest_image() +
                "\n        imagePullPolicy: Never"
                "\n        volumeMounts:"
                "\n          - name: home"
                "\n            mountPath: /home/ubuntu");
    std::string indented;
    {
        std::istringstream in(section);
        std::string line;
        while (std::getline(in, line)) indented += "  " + line + "\n";
    }
    const std::string user = "k209" + random_hex(10);
    const std::string password = "issue 209";
    Gateway gateway(auth_yaml(user, password) + "backend: kubernetes\nkubernetes:\n" + indented +
                    "  timeouts:\n    podStop: 5s\n");
    const auto ready = gateway.wait_for("KUBERNETES_BACKEND_READY");
    BOOST_TEST(json_field(ready, "namespace") == "tp-112520");
    // certFile names no client certificate: the notice says to use cacertFile.
    BOOST_TEST(!gateway.wait_for("KUBERNETES_CONFIG_NOTICE").empty());
    const auto r = ssh(gateway, {user, password, {}}, {}, {"cat /home/ubuntu/marker.txt"}, "", kSshTimeout);
    BOOST_TEST_CONTEXT(describe(r)) {
        BOOST_TEST(r.exit_code == 0);
        BOOST_TEST(r.out == "from the host\n");
    }
    BOOST_TEST(wait_until_no_pods(api, "tp-112520", "containerssh_username=" + user).empty());
    if (current_test_failed()) {
        for (const auto& line : gateway.lines()) std::cerr << line << "\n";
    }
}

// Several logins at once (more than the client's burst of 10 API calls):
// each gets its own pod and its output, and every pod is deleted after.
BOOST_AUTO_TEST_CASE(concurrent_logins_each_get_a_pod_and_leave_none) {
    KubeGateway g(shared_api());
    constexpr int kLogins = 8;
    std::vector<std::unique_ptr<BackgroundSsh>> sessions;
    for (int i = 0; i < kLogins; ++i) {
        sessions.push_back(std::make_unique<BackgroundSsh>(g, std::vector<std::string>{"-T"},
                                                           "echo login-" + std::to_string(i) + "; read line"));
    }
    for (int i = 0; i < kLogins; ++i) BOOST_TEST(sessions[i]->wait_line("login-" + std::to_string(i)));
    const auto pods = g.wait_for_pods(kLogins);
    BOOST_TEST(pods.size() == static_cast<size_t>(kLogins));
    for (auto& session : sessions) BOOST_TEST(session->send("\n"));
    for (auto& session : sessions) BOOST_TEST(session->wait_exit() == 0);
    expect_no_pods_left(g);
}

// Persistent mode with createMissingPods: the first login creates the named
// pod, the next one execs into the same pod (a file the first left is
// there), and the pod stays after both; it carries no instance label, so no
// collector ever takes it.
BOOST_AUTO_TEST_CASE(persistent_mode_reuses_one_pod_and_keeps_it) {
    kube::KubeApiServer& api = shared_api();
    KubeSettings settings;
    settings.mode = "persistent";
    settings.pod_extra = "    createMissingPods: true\n";
    settings.ns = "kpers-" + random_hex(6);
    const std::string name = "kpers-" + random_hex(6);
    settings.metadata_extra = "      name: " + name + "\n";
    {
        KubeGateway g(api, settings);
        const auto first = g.ssh({}, {"echo kept > /tmp/persistent.txt; hostname"});
        const auto second = g.ssh({}, {"cat /tmp/persistent.txt"});
        BOOST_TEST_CONTEXT(describe(first) << "\n" << describe(second)) {
            BOOST_TEST(first.exit_code == 0);
            BOOST_TEST(second.exit_code == 0);
            BOOST_TEST(second.out == "kept\n");
        }
        const auto pods = list_pods(api, settings.ns, "");
        BOOST_TEST_REQUIRE(pods.size() == 1u);
        BOOST_TEST(pods.front().name == name);
        BOOST_TEST(!pods.front().deleting);
        BOOST_TEST(pods.front().labels.count("containerssh_instance") == 0u);
        // The gateway stops; the pod does not go with it.
        BOOST_TEST(g.gateway().stop(SIGTERM) == 0);
        std::this_thread::sleep_for(std::chrono::seconds(1));
        BOOST_TEST(names(list_pods(api, settings.ns, "")) == std::vector<std::string>{name});
    }  // the test's cleanup deletes it (by its user's label)
    BOOST_TEST(wait_until_no_pods(api, settings.ns, "").empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(faults)

// The API server goes away under a running session. The exec stream runs
// through the API server (as it does through kube-apiserver to the kubelet),
// so the session ends, promptly and with a message; logins while it is
// away fail with one clear line and the gateway keeps serving; once it is
// back logins work again, and the pod whose deletion the outage prevented
// is collected as an orphan. In session mode the login itself succeeds (the
// pod comes with the session), so the refusal reaches the user on the
// session's stderr with 127, as a program that cannot start.
BOOST_DATA_TEST_CASE(an_api_server_outage_ends_streams_and_logins_recover_after_it, data::make(kModes), mode) {
    kube::KubeApiServer api;
    const ScopedEnvironment timing(
        std::map<std::string, std::string>{{"CONTAINERSSH_KUBERNETES_ORPHAN_INTERVAL", "2"}});
    KubeGateway g(api, KubeSettings{mode});
    BackgroundSsh session(g, {"-T"}, "echo started; exec cat");
    BOOST_REQUIRE(session.wait_line("started"));
    BOOST_REQUIRE(session.send("one\n"));
    BOOST_REQUIRE(session.wait_line("one"));
    const auto pods = g.wait_for_pods(1);
    BOOST_REQUIRE_EQUAL(pods.size(), 1u);

    api.stop();
    session.send("two\n");
    const int code = session.wait_exit(std::chrono::seconds(60));
    BOOST_TEST_MESSAGE("the running session ended with " << code << ", stderr: " << session.err());
    BOOST_TEST(code != -1);  // it ended on its own
    BOOST_TEST(code != 0);
    const std::string expected = mode == "connection"
                                     ? "The connection to the pod was lost; the session ends."
                                     : "The Kubernetes API server is not available; the session ends.";
    BOOST_TEST(session.err().find(expected) != std::string::npos);
    BOOST_TEST(!g.gateway().wait_for("KUBERNETES_EXIT_CODE_FAILED", std::chrono::seconds(20)).empty());

    const auto down = g.ssh({}, {"echo while-down"});
    BOOST_TEST_CONTEXT(describe(down)) {
        BOOST_TEST(!down.timed_out);
        BOOST_TEST(down.exit_code == (mode == "connection" ? 255 : 127));
        BOOST_TEST(down.out.empty());
        BOOST_TEST(down.err.find("The Kubernetes API server is not available.") != std::string::npos);
    }
    BOOST_TEST(!g.gateway().wait_for("KUBERNETES_API_UNREACHABLE").empty());
    BOOST_TEST(g.gateway().running());

    api.start();
    const auto back = g.ssh({}, {"echo api-back"});
    BOOST_TEST_CONTEXT(describe(back)) {
        BOOST_TEST(back.exit_code == 0);
        BOOST_TEST(back.out == "api-back\n");
    }
    const auto removed = g.gateway().wait_for("KUBERNETES_ORPHAN_REMOVED", std::chrono::seconds(30));
    BOOST_TEST(json_field(removed, "pod") == pods.front().name);
    expect_no_pods_left(g);
}

// The API server goes away while a login waits for its pod (one the
// scheduler cannot place, so the wait lasts): the login fails with the
// outage's line rather than waiting out podStart, and the pod the gateway
// could not delete then is collected once the server is back.
BOOST_AUTO_TEST_CASE(an_api_server_outage_during_the_pod_wait_fails_the_login_promptly) {
    kube::KubeApiServer api;
    const ScopedEnvironment timing(
        std::map<std::string, std::string>{{"CONTAINERSSH_KUBERNETES_ORPHAN_INTERVAL", "2"}});
    KubeSettings settings;
    settings.spec_extra = "      nodeSelector:\n        containerssh.test/missing: \"yes\"\n";
    settings.timeouts = "    podStop: 5s\n    podStart: 90s\n";
    KubeGateway g(api, settings);
    BackgroundSsh login(g, {"-T"}, "echo never");
    BOOST_REQUIRE(!g.gateway().wait_for("KUBERNETES_POD_UNSCHEDULABLE", std::chrono::seconds(30)).empty());
    const auto pods = g.pods();
    BOOST_REQUIRE_EQUAL(pods.size(), 1u);
    api.stop();
    const auto stopped = std::chrono::steady_clock::now();
    BOOST_TEST(login.wait_exit(std::chrono::seconds(60)) == 255);
    BOOST_TEST((std::chrono::steady_clock::now() - stopped < std::chrono::seconds(30)));
    BOOST_TEST_MESSAGE("the user saw: " << login.err());
    BOOST_TEST(login.err().find("The Kubernetes API server is not available.") != std::string::npos);
    BOOST_TEST(!g.gateway().wait_for("KUBERNETES_API_UNREACHABLE").empty());
    api.start();
    const auto removed = g.gateway().wait_for("KUBERNETES_ORPHAN_REMOVED", std::chrono::seconds(30));
    BOOST_TEST(json_field(removed, "pod") == pods.front().name);
    expect_no_pods_left(g);
}

// A gateway that starts while the API server is away says so (the lease
// and the orphan collector cannot reach it) and still starts; once the
// server is back, logins work without a restart.
BOOST_AUTO_TEST_CASE(a_gateway_started_during_an_outage_serves_once_the_api_server_is_back) {
    kube::KubeApiServer api;
    api.stop();
    KubeGateway g(api);
    BOOST_TEST(!g.gateway().wait_for("KUBERNETES_LEASE_RENEW_FAILED").empty());
    BOOST_TEST(!g.gateway().wait_for("KUBERNETES_ORPHAN_COLLECTION_FAILED").empty());
    const auto down = g.ssh({}, {"echo while-down"});
    BOOST_TEST_CONTEXT(describe(down)) {
        BOOST_TEST(down.exit_code == 255);
        BOOST_TEST(down.err.find("The Kubernetes API server is not available.") != std::string::npos);
    }
    api.start();
    const auto back = g.ssh({}, {"echo api-back"});
    BOOST_TEST_CONTEXT(describe(back)) {
        BOOST_TEST(back.exit_code == 0);
        BOOST_TEST(back.out == "api-back\n");
    }
    expect_no_pods_left(g);
}

// A gateway asked to stop (SIGTERM) while a connection holds a pod ends the
// connection and deletes the pod before it exits: nothing is left for a
// collector.
BOOST_AUTO_TEST_CASE(a_gateway_stopped_with_sigterm_deletes_its_pods_first) {
    KubeGateway g(shared_api());
    BackgroundSsh session(g, {"-T"}, "echo started; exec sleep 600");
    BOOST_REQUIRE(session.wait_line("started"));
    BOOST_REQUIRE_EQUAL(g.wait_for_pods(1).size(), 1u);
    BOOST_TEST(g.gateway().stop(SIGTERM) == 0);
    BOOST_TEST(session.wait_exit() != -1);
    const auto left = g.pods();
    BOOST_TEST_INFO("pods left: " << left.size());
    BOOST_TEST(std::all_of(left.begin(), left.end(), [](const Pod& pod) { return pod.deleting; }));
    expect_no_pods_left(g);
}

// A pod deleted from outside (kubectl delete --grace-period=0 --force)
// during a session: the session ends at once with the program's status
// (killed: 137) and a line saying the pod was deleted, KUBERNETES_POD_GONE
// is logged, no pod is left, and the gateway serves the next login.
BOOST_DATA_TEST_CASE(a_pod_deleted_from_outside_ends_the_session, data::make(kModes), mode) {
    KubeGateway g(shared_api(), KubeSettings{mode});
    BackgroundSsh session(g, {"-T"}, "echo started; exec sleep 600");
    BOOST_REQUIRE(session.wait_line("started"));
    const auto pods = g.wait_for_pods(1);
    BOOST_REQUIRE_EQUAL(pods.size(), 1u);
    const auto deleted = shared_api().kubectl(
        "1.33", {"delete", "pod", "-n", "default", pods.front().name, "--grace-period=0", "--force"});
    BOOST_TEST_REQUIRE(deleted.exit_code == 0, deleted.err);
    const int code = session.wait_exit(std::chrono::seconds(60));
    BOOST_TEST_MESSAGE("ssh ended with " << code << ", stderr: " << session.err());
    BOOST_TEST(code != -1);
    BOOST_TEST(code != 0);
    BOOST_TEST(session.err().find("The pod was deleted; the session ends.") != std::string::npos);
    BOOST_TEST(!g.gateway().wait_for("KUBERNETES_POD_GONE").empty());
    expect_no_pods_left(g);
    const auto next = g.ssh({}, {"echo next"});
    BOOST_TEST(next.exit_code == 0);
    BOOST_TEST(next.out == "next\n");
    expect_no_pods_left(g);
}

// An image that cannot be pulled (IfNotPresent from a registry that does
// not answer) and one that is absent under Never: the login fails with one
// line naming why, the code says it is the image, the pod is deleted.
BOOST_DATA_TEST_CASE(an_image_that_cannot_be_pulled_fails_the_login_cleanly,
                     data::make(std::vector<std::string>{"IfNotPresent", "Never"}), policy) {
    KubeSettings settings;
    settings.image = "127.0.0.1:9/csh-no-such-image-" + random_hex(6) + ":v1";
    settings.pull_policy = policy;
    KubeGateway g(shared_api(), settings);
    const auto r = g.ssh({}, {"echo never"});
    BOOST_TEST_MESSAGE("the user saw: " << r.err);
    BOOST_TEST_CONTEXT(describe(r)) {
        BOOST_TEST(r.exit_code == 255);
        BOOST_TEST(r.out.empty());
        const std::string reason = policy == "Never" ? "ErrImageNeverPull" : "ErrImagePull";
        BOOST_TEST(r.err.find("The pod could not start: " + reason) != std::string::npos);
    }
    const auto line = g.gateway().wait_for("KUBERNETES_POD_IMAGE_PULL_FAILED");
    BOOST_TEST(line.find(settings.image) != std::string::npos, line);
    expect_no_pods_left(g);
}

// A pod the scheduler cannot place (a nodeSelector the only node lacks):
// the code says so, the user's line says it cannot be scheduled, and after
// podStart the pod is deleted.
BOOST_AUTO_TEST_CASE(an_unschedulable_pod_fails_the_login_after_pod_start) {
    KubeSettings settings;
    settings.spec_extra = "      nodeSelector:\n        containerssh.test/missing: \"yes\"\n";
    settings.timeouts = "    podStop: 5s\n    podStart: 3s\n";
    KubeGateway g(shared_api(), settings);
    const auto started = std::chrono::steady_clock::now();
    const auto r = g.ssh({}, {"echo never"});
    const auto took = std::chrono::steady_clock::now() - started;
    BOOST_TEST_MESSAGE("the user saw: " << r.err);
    BOOST_TEST_CONTEXT(describe(r)) {
        BOOST_TEST(r.exit_code == 255);
        BOOST_TEST(r.out.empty());
        BOOST_TEST(r.err.find("The pod could not be scheduled: 0/1 nodes are available") != std::string::npos);
        BOOST_TEST(r.err.find("didn't match Pod's node affinity/selector") != std::string::npos);
    }
    BOOST_TEST((took < std::chrono::seconds(30)));
    BOOST_TEST(!g.gateway().wait_for("KUBERNETES_POD_UNSCHEDULABLE").empty());
    BOOST_TEST(g.gateway().count("KUBERNETES_POD_UNSCHEDULABLE") == 1u);
    expect_no_pods_left(g);
}

// The plugin labels its pods containerssh_instance=<id>, derived from the
// host name and a fixed ssh.listen, and collects at start-up the pods with
// its id that no live connection owns: a gateway started again on the same
// address deletes what a SIGKILLed one left.
BOOST_DATA_TEST_CASE(a_restarted_gateway_deletes_the_pod_a_killed_one_left, data::make(kModes), mode) {
    KubeSettings settings{mode};
    settings.ns = "kres-" + random_hex(6);
    KubeGateway g(shared_api(), settings, {"listen: 127.0.0.1:" + std::to_string(free_loopback_port())});
    const auto instance = g.instance();
    BOOST_REQUIRE(!instance.empty());
    BackgroundSsh session(g, {"-T"}, "echo started; exec sleep 600");
    BOOST_REQUIRE(session.wait_line("started"));
    const auto left = list_pods(shared_api(), settings.ns, "containerssh_instance=" + instance);
    BOOST_REQUIRE_EQUAL(left.size(), 1u);

    g.gateway().stop(SIGKILL);
    BOOST_TEST(session.wait_exit() == 255);  // the connection went with the gateway
    BOOST_REQUIRE(names(g.pods()) == names(left));  // and nobody deleted its pod

    g.start();
    BOOST_TEST(g.instance() == instance);
    const auto removed = g.gateway().wait_for("KUBERNETES_ORPHAN_REMOVED", std::chrono::seconds(30));
    BOOST_TEST(json_field(removed, "pod") == left.front().name);
    expect_no_pods_left(g);
    const auto next = g.ssh({}, {"echo after-restart"});
    BOOST_TEST(next.exit_code == 0);
    BOOST_TEST(next.out == "after-restart\n");
    expect_no_pods_left(g);
    BOOST_TEST(g.gateway().count("KUBERNETES_ORPHAN_REMOVED") == 1u);
}

// Two gateways (two instance ids) in one namespace, with the collector
// running every second and a 4 s lease: across several rounds neither
// touches the other's live pod; once one is SIGKILLed and its lease has
// expired, the other deletes its pod, once.
BOOST_AUTO_TEST_CASE(replicas_leave_each_others_live_pods_and_collect_a_dead_ones_once) {
    const ScopedEnvironment timing({{"CONTAINERSSH_KUBERNETES_ORPHAN_INTERVAL", "1"},
                                    {"CONTAINERSSH_KUBERNETES_LEASE_DURATION", "4"},
                                    {"CONTAINERSSH_KUBERNETES_LEASE_SKEW_MARGIN", "1"}});
    KubeSettings settings;
    settings.ns = "krep-" + random_hex(6);
    KubeGateway a(shared_api(), settings);
    KubeGateway b(shared_api(), settings);
    const auto instance_a = a.instance();
    const auto instance_b = b.instance();
    BOOST_REQUIRE(!instance_a.empty());
    BOOST_REQUIRE(instance_a != instance_b);
    BackgroundSsh session_a(a, {"-T"}, "echo started; exec cat");
    BackgroundSsh session_b(b, {"-T"}, "echo started; exec cat");
    BOOST_REQUIRE(session_a.wait_line("started"));
    BOOST_REQUIRE(session_b.wait_line("started"));
    const auto pods_a = a.wait_for_pods(1);
    const auto pods_b = b.wait_for_pods(1);
    BOOST_REQUIRE_EQUAL(pods_a.size(), 1u);
    BOOST_REQUIRE_EQUAL(pods_b.size(), 1u);

    // Several rounds of both collectors (and lease renewals).
    std::this_thread::sleep_for(std::chrono::seconds(7));
    BOOST_TEST(a.gateway().count("KUBERNETES_ORPHAN_REMOVED") == 0u);
    BOOST_TEST(b.gateway().count("KUBERNETES_ORPHAN_REMOVED") == 0u);
    BOOST_TEST(a.gateway().count("KUBERNETES_LEASE_RENEW_FAILED") == 0u);
    BOOST_TEST(b.gateway().count("KUBERNETES_LEASE_RENEW_FAILED") == 0u);
    BOOST_TEST(names(a.pods()) == names(pods_a));
    BOOST_TEST(names(b.pods()) == names(pods_b));
    BOOST_REQUIRE(session_a.send("still-a\n"));
    BOOST_TEST(session_a.wait_line("still-a"));

    a.gateway().stop(SIGKILL);
    BOOST_TEST(session_a.wait_exit() == 255);
    const auto removed = b.gateway().wait_for("KUBERNETES_ORPHAN_REMOVED", std::chrono::seconds(30));
    BOOST_TEST(json_field(removed, "pod") == pods_a.front().name);
    BOOST_TEST(a.wait_until_no_pods(std::chrono::seconds(30)).empty());
    // More rounds: nothing else is collected, and b's own session lives on.
    std::this_thread::sleep_for(std::chrono::seconds(4));
    BOOST_TEST(b.gateway().count("KUBERNETES_ORPHAN_REMOVED") == 1u);
    BOOST_TEST(names(b.pods()) == names(pods_b));
    BOOST_REQUIRE(session_b.send("still-b\n"));
    BOOST_TEST(session_b.wait_line("still-b"));
    session_b.close_input();
    BOOST_TEST(session_b.wait_exit() == 0);
    BOOST_TEST(b.wait_until_no_pods().empty());
    BOOST_TEST(b.gateway().count("KUBERNETES_ORPHAN_REMOVED") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
