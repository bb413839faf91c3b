// Sessions through the Docker backend, end to end: the real OpenSSH client
// talks to the real gateway, which runs the programs in containers of the
// shared test engine. What every backend must do (output, stdin, pty,
// signals, back-pressure) is the backend conformance suite's, run against
// Docker in both modes (tests/conformance/backend); this suite keeps what is
// Docker's own: how commands become argv, the default shell, SFTP, the
// containers and their labels, metadata files.
// Every case runs in both execution modes: "connection" (one container per
// connection, programs started with docker exec through the agent) and
// "session" (one container per session channel, the program is its command).
// Each test has its own gateway and user name, and ends by checking that the
// backend removed every container it created.
#define BOOST_TEST_MODULE integration_docker_sessions
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/results_collector.hpp>
#include <boost/test/unit_test.hpp>

#include "harness/docker.hpp"
#include "harness/gateway.hpp"
#include "harness/probes.hpp"

#include <http_test_server.hpp>

#include <simdjson.h>

#include <algorithm>
#include <csignal>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

#include <unistd.h>

using namespace csh::test;
namespace docker = csh::test::docker;
namespace data = boost::unit_test::data;

namespace {

const std::vector<std::string> kModes{"connection", "session"};
constexpr auto kSshTimeout = std::chrono::seconds(180);


bool is_lower_hex(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// A gateway with the static password auth plugin and the Docker backend in
// `mode`. Each instance has its own user name, so the containers of one test
// are told apart by the containerssh_username label even when other suites
// share the engine or an earlier run left containers behind.
class DockerGateway {
public:
    explicit DockerGateway(const std::string& mode, const std::string& extra_execution_yaml = "")
        : user_("dsess" + random_hex(10)),
          gateway_(auth_yaml(user_, password_) + docker::backend_config(mode, extra_execution_yaml)) {}

    // Prints the gateway's log when the test failed (the evidence), then
    // removes whatever containers the test left so failures do not pile up.
    ~DockerGateway() {
        if (current_test_failed()) {
            std::cerr << "---- gateway log (" << user_ << ") ----\n" << log() << "---- end of gateway log ----\n";
        }
        try {
            for (const auto& id : docker::containers_labelled(selector())) docker::cli({"rm", "-f", id});
        } catch (const std::exception& e) {
            std::cerr << "cannot clean up the containers of " << user_ << ": " << e.what() << "\n";
        }
    }

    const std::string& user() const { return user_; }
    const std::string& password() const { return password_; }
    Gateway& gateway() { return gateway_; }
    SshLogin login() const { return {user_, password_, {}}; }
    std::string selector() const { return "containerssh_username=" + user_; }
    std::vector<std::string> containers() const { return docker::containers_labelled(selector()); }

    RunResult ssh(const std::vector<std::string>& options, const std::vector<std::string>& command,
                  const std::string& input = "", const std::map<std::string, std::string>& extra_env = {}) {
        auto env = ssh_env(gateway_, login());
        for (const auto& [k, v] : extra_env) env[k] = v;
        return run(ssh_command(gateway_, login(), options, command), input, env, kSshTimeout);
    }

    // Polls until no container of this test exists; returns what is left.
    std::vector<std::string> wait_until_no_containers(std::chrono::seconds patience = std::chrono::seconds(90)) const {
        const auto deadline = std::chrono::steady_clock::now() + patience;
        auto left = containers();
        while (!left.empty() && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
            left = containers();
        }
        return left;
    }

    // Polls until `count` containers of this test exist; returns them.
    std::vector<std::string> wait_for_containers(size_t count) const {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
        auto found = containers();
        while (found.size() != count && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
            found = containers();
        }
        return found;
    }

    std::string log() const {
        std::string text;
        for (const auto& line : gateway_.lines()) text += line + "\n";
        return text;
    }

private:
    static std::string auth_yaml(const std::string& user, const std::string& password) {
        return "auth:\n"
               "  password:\n"
               "    method: static\n"
               "    static:\n"
               "      users:\n"
               "        " + user + ":\n"
               "          password: \"" + password + "\"\n";
    }

    std::string user_;
    std::string password_ = "docker sessions";
    Gateway gateway_;
};

// Every test ends with the client gone; the backend must then remove every
// container it created for the test.
void expect_no_containers_left(const DockerGateway& g) {
    const auto left = g.wait_until_no_containers();
    BOOST_TEST_INFO("containers left behind: " << left.size());
    BOOST_TEST(left.empty());
}

// GET on the shared engine's API; the body, empty when the call failed.
std::string engine_get(const std::string& path) {
    const auto host = docker::engine_host();
    std::vector<std::string> argv{"curl", "-s", "-f", "-m", "30"};
    if (host.rfind("unix://", 0) == 0) {
        argv.insert(argv.end(), {"--unix-socket", host.substr(7), "http://engine" + path});
    } else {
        argv.push_back("http://" + host.substr(host.find("://") + 3) + path);
    }
    const auto r = run(argv);
    return r.exit_code == 0 ? r.out : std::string();
}

std::vector<std::string> string_array(simdjson::dom::element value) {
    std::vector<std::string> out;
    simdjson::dom::array array;
    if (value.get(array) != simdjson::SUCCESS) return out;
    for (auto item : array) {
        std::string_view s;
        if (item.get(s) == simdjson::SUCCESS) out.emplace_back(s);
    }
    return out;
}

// The argv of the program a session runs, as the engine was asked to run it:
// in connection mode the running exec's command after the agent's "--" (the
// whole command when there is no "--"); in session mode the process of the
// running container. Empty while there is none.
std::vector<std::string> running_program(const DockerGateway& g, const std::string& mode) {
    simdjson::dom::parser parser;
    for (const auto& id : g.containers()) {
        simdjson::dom::element container;
        if (parser.parse(engine_get("/containers/" + id + "/json")).get(container) != simdjson::SUCCESS) continue;
        bool running = false;
        if (container["State"]["Running"].get(running) != simdjson::SUCCESS || !running) continue;
        if (mode == "session") {
            std::string_view path;
            if (container["Path"].get(path) != simdjson::SUCCESS) continue;
            auto argv = string_array(container["Args"]);
            argv.insert(argv.begin(), std::string(path));
            return argv;
        }
        for (const auto& exec_id : string_array(container["ExecIDs"])) {
            simdjson::dom::parser exec_parser;
            simdjson::dom::element exec;
            if (exec_parser.parse(engine_get("/exec/" + exec_id + "/json")).get(exec) != simdjson::SUCCESS) continue;
            bool exec_running = false;
            if (exec["Running"].get(exec_running) != simdjson::SUCCESS || !exec_running) continue;
            std::string_view entrypoint;
            if (exec["ProcessConfig"]["entrypoint"].get(entrypoint) != simdjson::SUCCESS) continue;
            auto argv = string_array(exec["ProcessConfig"]["arguments"]);
            argv.insert(argv.begin(), std::string(entrypoint));
            const auto dashes = std::find(argv.begin(), argv.end(), "--");
            if (dashes != argv.end()) argv.erase(argv.begin(), dashes + 1);
            return argv;
        }
    }
    return {};
}

std::vector<std::string> wait_for_running_program(const DockerGateway& g, const std::string& mode) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    auto argv = running_program(g, mode);
    while (argv.empty() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
        argv = running_program(g, mode);
    }
    return argv;
}

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(BrokenPipesDoNotKill);

BOOST_AUTO_TEST_SUITE(exec)

BOOST_DATA_TEST_CASE(absolute_program_output_keeps_its_words, data::make(kModes), mode) {
    DockerGateway g(mode);
    const auto r = g.ssh({}, {"/bin/echo a  b 'c  d'"});
    BOOST_TEST_CONTEXT(describe(r)) {
        BOOST_TEST(r.out == "a b c  d\n");
        BOOST_TEST(r.exit_code == 0);
    }
    expect_no_containers_left(g);
}

// Which argv the engine was asked to run: a first word that is a path runs
// directly as the split words; anything else runs as /bin/sh -c "<string>".
// Read from the engine while the program runs (the exec's ProcessConfig,
// after the agent's "--", in connection mode; the container's process in
// session mode), so the rule is checked exactly, not through its output.
BOOST_DATA_TEST_CASE(exec_string_decides_the_program_argv, data::make(kModes), mode) {
    const std::vector<std::pair<std::string, std::vector<std::string>>> cases{
        {"/bin/sleep 600", {"/bin/sleep", "600"}},
        {"/bin/sleep  '600'", {"/bin/sleep", "600"}},
        {"sleep 600", {"/bin/sh", "-c", "sleep 600"}},
    };
    DockerGateway g(mode);
    for (const auto& [command, expected] : cases) {
        BOOST_TEST_CONTEXT("command: " << command) {
            Child ssh_client(ssh_command(g.gateway(), g.login(), {"-T"}, {command}),
                             ssh_env(g.gateway(), g.login()));
            const auto argv = wait_for_running_program(g, mode);
            BOOST_TEST(argv == expected, boost::test_tools::per_element());
            ssh_client.stop(SIGTERM, std::chrono::seconds(30));
            expect_no_containers_left(g);
        }
    }
}

BOOST_DATA_TEST_CASE(other_programs_run_through_bin_sh, data::make(kModes), mode) {
    DockerGateway g(mode);
    // The same variable, once through an explicit /bin/sh (run directly) and
    // once through the implicit `/bin/sh -c` a bare command gets.
    const auto direct = g.ssh({}, {"/bin/sh -c 'printf %s \"$HOME\"'"});
    const auto implicit = g.ssh({}, {"echo $HOME; echo $((6*7))"});
    BOOST_TEST_CONTEXT(describe(direct) << "\n" << describe(implicit)) {
        BOOST_TEST(direct.exit_code == 0);
        BOOST_TEST(!direct.out.empty());
        BOOST_TEST(direct.out != "$HOME");
        BOOST_TEST(implicit.exit_code == 0);
        BOOST_TEST(implicit.out == direct.out + "\n42\n");
    }
    expect_no_containers_left(g);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(pty)

BOOST_DATA_TEST_CASE(default_shell_is_bin_bash, data::make(kModes), mode) {
    DockerGateway g(mode);
    // ${BASH_VERSION:+...} expands only in bash: a busybox sh would print "/bin/sh" alone.
    const auto r = g.ssh({"-tt"}, {}, "echo \"$0\" ${BASH_VERSION:+is-bash}; exit\n");
    BOOST_TEST_CONTEXT(describe(r)) {
        BOOST_TEST(r.out.find("/bin/bash is-bash\r\n") != std::string::npos);
        BOOST_TEST(r.exit_code == 0);
    }
    expect_no_containers_left(g);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(sftp)

BOOST_DATA_TEST_CASE(put_and_get_of_ten_mebibytes, data::make(kModes), mode) {
    DockerGateway g(mode);
    TempDir dir;
    const auto upload = random_bytes(10u << 20);
    write_file(dir.path() / "up.bin", upload);
    // Relative remote paths: the subsystem starts in the container's working directory.
    write_file(dir.path() / "batch",
               "put " + dir.file("up.bin") + " sftp-test.bin\nget sftp-test.bin " + dir.file("down.bin") + "\n");
    // sftp takes ssh's options, except that the port is -P; sftp -b implies
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
        BOOST_TEST(std::filesystem::exists(dir.path() / "down.bin"));
        if (std::filesystem::exists(dir.path() / "down.bin")) {
            const auto down = read_file(dir.path() / "down.bin");
            BOOST_TEST(down.size() == upload.size());
            const auto sent = run({"sha256sum", dir.file("up.bin")});
            const auto received = run({"sha256sum", dir.file("down.bin")});
            BOOST_TEST(received.out.substr(0, 64) == sent.out.substr(0, 64));
        }
    }
    expect_no_containers_left(g);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(containers)

// Two session channels of one connection: one container between them in
// connection mode, one each in session mode. `hostname` in a container is
// the first 12 hex digits of its id.
BOOST_DATA_TEST_CASE(sessions_of_one_connection_and_their_containers, data::make(kModes), mode) {
    DockerGateway g(mode);
    Child c({client_script("two_sessions.py"), std::to_string(g.gateway().port()), g.user(), g.password(),
             "hostname; exec cat"});
    std::string first, second, open;
    const auto patience = std::chrono::seconds(120);
    BOOST_REQUIRE(c.read_line(first, patience));
    BOOST_REQUIRE(c.read_line(second, patience));
    BOOST_REQUIRE(c.read_line(open, patience));
    BOOST_TEST(open == "open");
    BOOST_TEST_REQUIRE(first.rfind("first ", 0) == 0);
    BOOST_TEST_REQUIRE(second.rfind("second ", 0) == 0);
    first = first.substr(6);
    second = second.substr(7);

    const size_t expected = mode == "connection" ? 1 : 2;
    const auto ids = g.wait_for_containers(expected);
    BOOST_TEST(ids.size() == expected);
    if (mode == "connection") {
        BOOST_TEST(first == second);
    } else {
        BOOST_TEST(first != second);
    }
    for (const auto& host : {first, second}) {
        const bool is_one_of_ours = std::any_of(ids.begin(), ids.end(), [&](const std::string& id) {
            return !host.empty() && id.rfind(host, 0) == 0;
        });
        BOOST_TEST_INFO("hostname " << host);
        BOOST_TEST(is_one_of_ours);
    }

    // Ending both sessions (EOF to cat) while the connection stays open.
    const char newline = '\n';
    BOOST_REQUIRE(::write(c.stdin_fd(), &newline, 1) == 1);
    std::string closed;
    BOOST_REQUIRE(c.read_line(closed, patience));
    BOOST_TEST(closed == "closed 0 0");
    std::string rest;
    while (c.read_line(rest, patience)) {
    }  // until the client closed the connection and exited
    BOOST_TEST(c.stop(SIGTERM, std::chrono::seconds(30)) == 0);
    expect_no_containers_left(g);
}

BOOST_DATA_TEST_CASE(containers_carry_the_connection_labels, data::make(kModes), mode) {
    DockerGateway g(mode);
    auto argv = ssh_command(g.gateway(), g.login(), {"-T"}, {"echo ready; exec sleep 600"});
    Child ssh_client(argv, ssh_env(g.gateway(), g.login()));
    std::string ready;
    BOOST_REQUIRE(ssh_client.read_line(ready, std::chrono::seconds(120)));
    BOOST_TEST(ready == "ready");

    const auto ids = g.wait_for_containers(1);
    BOOST_TEST_REQUIRE(ids.size() == 1u);
    const auto inspected = docker::cli({"inspect", "--format", "{{json .Config.Labels}}", ids[0]});
    BOOST_TEST_REQUIRE(inspected.exit_code == 0);
    simdjson::dom::parser parser;
    simdjson::dom::element labels;
    BOOST_TEST_INFO("labels: " << inspected.out);
    BOOST_TEST_REQUIRE(parser.parse(inspected.out).get(labels) == simdjson::SUCCESS);
    std::string_view connection_id, username, ip;
    BOOST_TEST(labels["containerssh_connection_id"].get(connection_id) == simdjson::SUCCESS);
    BOOST_TEST(labels["containerssh_username"].get(username) == simdjson::SUCCESS);
    BOOST_TEST(labels["containerssh_ip"].get(ip) == simdjson::SUCCESS);
    BOOST_TEST(connection_id.size() == 32u);
    BOOST_TEST(is_lower_hex(std::string(connection_id)));
    BOOST_TEST(username == g.user());
    BOOST_TEST(ip == "127.0.0.1");
    // The label names the same connection as the gateway's log.
    const auto auth_line = g.gateway().wait_for("SSH_AUTH_SUCCESSFUL");
    BOOST_TEST(json_field(auth_line, "connectionId") == std::string(connection_id));

    // The client goes away mid-program: the container must still go.
    ssh_client.stop(SIGTERM, std::chrono::seconds(30));
    expect_no_containers_left(g);
}

BOOST_DATA_TEST_CASE(failed_command_leaves_no_container, data::make(kModes), mode) {
    DockerGateway g(mode);
    // 127, as a shell reports a program it cannot run: from the agent's
    // exec in connection mode, from the container's init in session mode.
    const auto r = g.ssh({}, {"/no/such/program"});
    BOOST_TEST_CONTEXT(describe(r)) {
        BOOST_TEST(r.out == "");
        BOOST_TEST(r.exit_code == 127);
    }
    expect_no_containers_left(g);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(metadata)

// The auth webhook's environment and files reach the connection's container:
// the variable in every program, the file written by the agent's write-file
// (mode 0600) before the first session.
BOOST_AUTO_TEST_CASE(webhook_environment_and_files_reach_the_container) {
    HttpTestServer server;
    server.respond("/password", {200, R"({"success": true,
        "environment": {"TEAM": {"value": "ops", "sensitive": false}},
        "files": {"/tmp/from-auth.txt": {"value": "aGVsbG8gZmlsZQo=", "sensitive": true}}})"});
    const std::string user = "dmeta" + random_hex(10);
    Gateway gateway("auth:\n  password:\n    method: webhook\n    webhook:\n      url: " + server.url() + "\n" +
                    docker::backend_config("connection"));
    const auto r = ssh(gateway, {user, "any password", {}}, {},
                       {"echo team=$TEAM; cat /tmp/from-auth.txt; stat -c %a /tmp/from-auth.txt"});
    BOOST_TEST_CONTEXT(r.err) {
        BOOST_TEST(r.exit_code == 0);
        BOOST_TEST(r.out == "team=ops\nhello file\n600\n");
    }
    BOOST_TEST(!gateway.wait_for("DOCKER_FILE_WRITE").empty());
    BOOST_TEST(gateway.count("DOCKER_FILE_WRITE_FAILED") == 0u);
    for (int i = 0; i < 100 && !docker::containers_labelled("containerssh_username=" + user).empty(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    BOOST_TEST(docker::containers_labelled("containerssh_username=" + user).empty());
}

// The docker section is the plugin's: the core passes a configuration
// server's answer on as written, and the plugin refuses an unknown key with
// the key path before any container exists.
BOOST_AUTO_TEST_CASE(a_configuration_server_answer_with_an_unknown_docker_key_is_refused) {
    HttpTestServer server;
    server.respond("/password", {200, R"({"success": true})"});
    server.respond("/config", {200, R"({"config": {"docker": {"execution": {"nosuchkey": 1}}}})"});
    const std::string user = "dconf" + random_hex(10);
    Gateway gateway("auth:\n  password:\n    method: webhook\n    webhook:\n      url: " + server.url() + "\n" +
                    "configserver:\n  url: " + server.url() + "/config\n" + docker::backend_config("connection"));
    const auto r = ssh(gateway, {user, "any password", {}}, {}, {"echo in"});
    BOOST_TEST_CONTEXT(describe(r)) {
        BOOST_TEST(r.exit_code == 255);
        BOOST_TEST(r.out.empty());
        BOOST_TEST(r.err.find("container configuration is invalid") != std::string::npos);
    }
    const auto line = gateway.wait_for("DOCKER_CONFIG_ERROR");
    BOOST_TEST(line.find("docker.execution.nosuchkey") != std::string::npos, line);
    BOOST_TEST(docker::containers_labelled("containerssh_username=" + user).empty());
}

BOOST_AUTO_TEST_SUITE_END()
