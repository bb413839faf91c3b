// Faults around the Docker backend, end to end with the real OpenSSH client
// and the real gateway: the engine goes away under a running session, a
// container is killed from outside, the gateway itself is killed. Each test
// has a private engine (harness PrivateEngine), so stopping it or counting
// its containers never touches the shared engine other suites use.
#define BOOST_TEST_MODULE integration_docker_faults
#include <boost/test/results_collector.hpp>
#include <boost/test/unit_test.hpp>

#include "harness/docker.hpp"
#include "harness/gateway.hpp"
#include "harness/loopback.hpp"
#include "harness/probes.hpp"

#include <csignal>
#include <iostream>
#include <memory>
#include <thread>

using namespace csh::test;
namespace docker = csh::test::docker;

namespace {

// Logins while the engine is down wait for the backend's retries (ContainerSSH
// retries Docker API calls until its timeouts, 60 s by default).
constexpr auto kPatience = std::chrono::seconds(240);
const SshLogin kLogin{"fault", "fault-password", {}};

std::string static_auth() {
    return "auth:\n"
           "  password:\n"
           "    method: static\n"
           "    static:\n"
           "      users:\n"
           "        " + kLogin.user + ":\n"
           "          password: \"" + kLogin.password + "\"\n";
}

// An ssh session left running while the test does something to it. Its
// stdout is read line by line; its stderr goes to a file for the assertions.
class BackgroundSsh {
public:
    BackgroundSsh(const Gateway& gateway, const std::string& command) {
        auto argv = ssh_command(gateway, kLogin, {}, {command});
        argv.insert(argv.begin(), {"sh", "-c", "exec \"$@\" 2>\"$0\"", dir_.file("stderr")});
        child_ = std::make_unique<Child>(argv, ssh_env(gateway, kLogin));
    }
    // True once `expected` was printed as a line.
    bool wait_line(const std::string& expected) {
        std::string line;
        while (child_->read_line(line, kPatience)) {
            if (line == expected) return true;
        }
        return false;
    }
    // The exit code once ssh ends, or -1 if it has not ended within kPatience.
    int wait_exit() { return child_->stop(0, kPatience); }
    std::string err() const { return read_file(dir_.file("stderr")); }

private:
    TempDir dir_;
    std::unique_ptr<Child> child_;
};

// A private engine and a gateway using it in `mode`; on failure the gateway's
// log is printed, and whatever the test left in the engine goes with it.
struct FaultFixture {
    docker::PrivateEngine engine;
    std::unique_ptr<Gateway> gateway = std::make_unique<Gateway>(static_auth() +
                                                                 docker::backend_config("connection", "", engine.host()));

    ~FaultFixture() {
        if (gateway && current_test_failed()) {
            std::cerr << "---- gateway log ----\n";
            for (const auto& line : gateway->lines()) std::cerr << line << "\n";
            std::cerr << "---- end of gateway log ----\n";
        }
    }

    std::vector<std::string> containers() const {
        return docker::containers_labelled("containerssh_connection_id", engine.host());
    }

    // Polls until the engine holds no container of ContainerSSH; returns what is left.
    std::vector<std::string> wait_until_no_containers() const {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
        auto left = containers();
        while (!left.empty() && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
            left = containers();
        }
        return left;
    }

    // The connectionId of the gateway's first authenticated connection.
    std::string first_connection_id() const {
        for (const auto& line : gateway->lines()) {
            if (line.find("\"code\":\"SSH_AUTH_SUCCESSFUL\"") != std::string::npos) return json_field(line, "connectionId");
        }
        return {};
    }

    RunResult login(const std::string& command) {
        return ssh(*gateway, kLogin, {}, {command}, "", kPatience);
    }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(faults, FaultFixture)

BOOST_AUTO_TEST_CASE(engine_outage_ends_the_session_and_logins_recover_after_it) {
    BackgroundSsh session(*gateway, "echo started; exec sleep 600");
    BOOST_REQUIRE(session.wait_line("started"));
    BOOST_REQUIRE_EQUAL(containers().size(), 1u);

    engine.stop();
    const int code = session.wait_exit();
    BOOST_TEST_MESSAGE("the running session ended with " << code << ", stderr: " << session.err());
    BOOST_TEST(code != -1);  // it ended on its own
    BOOST_TEST(code != 0);

    // While the engine is down a login fails cleanly and the gateway stays up.
    const auto down = login("echo while-down");
    BOOST_TEST_INFO("stderr: " << down.err);
    BOOST_TEST(!down.timed_out);
    BOOST_TEST(down.exit_code == 255);
    BOOST_TEST(down.out.empty());
    BOOST_TEST(!gateway->wait_for("SSH_BACKEND_REJECTED_HANDSHAKE").empty());

    // The engine is back: the same gateway serves the next login.
    engine.start();
    const auto back = login("echo engine-back");
    BOOST_TEST_INFO("stderr: " << back.err);
    BOOST_TEST(back.exit_code == 0);
    BOOST_TEST(back.out == "engine-back\n");
    // Including the container of the session the outage ended: removed once
    // the engine answers again.
    BOOST_TEST(wait_until_no_containers().empty());
}

BOOST_AUTO_TEST_CASE(a_container_killed_from_outside_ends_the_session_with_a_status) {
    BackgroundSsh session(*gateway, "echo started; exec sleep 600");
    BOOST_REQUIRE(session.wait_line("started"));
    const auto id = first_connection_id();
    BOOST_REQUIRE(!id.empty());
    // The container carries the connection's id as its label.
    const auto mine = docker::containers_labelled("containerssh_connection_id=" + id, engine.host());
    BOOST_REQUIRE_EQUAL(mine.size(), 1u);

    const auto killed = docker::cli({"kill", mine.front()}, engine.host());
    BOOST_REQUIRE_EQUAL(killed.exit_code, 0);
    const int code = session.wait_exit();
    BOOST_TEST_MESSAGE("ssh ended with " << code << ", stderr: " << session.err());
    BOOST_TEST(code != -1);
    BOOST_TEST(code != 0);
    // The gateway sent the program's end: an exit status (what ssh returned)
    // or an exit signal (ssh returns 255 for that).
    const auto exit_line = gateway->wait_for("SSH_EXIT", std::chrono::seconds(30));
    const auto signal_line = gateway->wait_for("SSH_EXIT_SIGNAL", std::chrono::seconds(1));
    BOOST_TEST(!(exit_line.empty() && signal_line.empty()));
    if (!exit_line.empty()) BOOST_TEST(json_field(exit_line, "exitStatus") == std::to_string(code));
    if (exit_line.empty() && !signal_line.empty()) BOOST_TEST(code == 255);
    BOOST_TEST(wait_until_no_containers().empty());

    // The gateway serves the next login.
    const auto next = login("echo next");
    BOOST_TEST(next.exit_code == 0);
    BOOST_TEST(next.out == "next\n");
    BOOST_TEST(wait_until_no_containers().empty());
}

// The plugin labels its containers containerssh_instance=<id>, the id derived
// from the host name and a fixed ssh.listen (logged in DOCKER_BACKEND_READY;
// with port 0 every run gets a new id), and its orphan collector removes, at
// start-up, the containers with its id that no live connection owns. So a
// gateway started again on the same address removes what a SIGKILLed one left.
std::unique_ptr<Gateway> gateway_listening_on(const std::string& config, const std::string& listen) {
    return std::make_unique<Gateway>(config, true, std::vector<std::string>{"listen: " + listen});
}

BOOST_AUTO_TEST_CASE(a_restarted_gateway_removes_what_a_killed_one_left) {
    const auto config = static_auth() + docker::backend_config("connection", "", engine.host());
    const auto listen = "127.0.0.1:" + std::to_string(free_loopback_port());
    gateway = gateway_listening_on(config, listen);
    const auto instance = json_field(gateway->wait_for("DOCKER_BACKEND_READY"), "instance");
    BOOST_REQUIRE(!instance.empty());
    BackgroundSsh session(*gateway, "echo started; exec sleep 600");
    BOOST_REQUIRE(session.wait_line("started"));
    const auto left = docker::containers_labelled("containerssh_instance=" + instance, engine.host());
    BOOST_REQUIRE_EQUAL(left.size(), 1u);

    gateway->stop(SIGKILL);
    BOOST_TEST(session.wait_exit() == 255);  // the connection went with the gateway
    BOOST_REQUIRE(containers() == left);     // and nobody removed its container

    gateway = gateway_listening_on(config, listen);
    BOOST_TEST(json_field(gateway->wait_for("DOCKER_BACKEND_READY"), "instance") == instance);
    const auto removed = gateway->wait_for("DOCKER_ORPHAN_REMOVED", std::chrono::seconds(120));
    BOOST_TEST(json_field(removed, "containerId") == left.front());
    BOOST_TEST(wait_until_no_containers().empty());

    const auto next = login("echo after-restart");
    BOOST_TEST(next.exit_code == 0);
    BOOST_TEST(next.out == "after-restart\n");
    BOOST_TEST(wait_until_no_containers().empty());
}

BOOST_AUTO_TEST_SUITE_END()
