// Image pull policies and registry credentials of the Docker backend, end to
// end: the real OpenSSH client logs in to the real gateway, whose container
// image lives in a local docker-registry that requires a password
// (docker.execution.auth). The engine is the shared test engine; every test
// has its own registry (its own port, so its own image references) and its
// own user name, so its containers are told apart from other suites'.
#define BOOST_TEST_MODULE integration_docker_pull
#include <boost/test/results_collector.hpp>
#include <boost/test/unit_test.hpp>

#include "harness/docker.hpp"
#include "harness/gateway.hpp"
#include "harness/probes.hpp"

#include <iostream>
#include <random>
#include <sstream>
#include <thread>

using namespace csh::test;
namespace docker = csh::test::docker;

namespace {

constexpr auto kSshTimeout = std::chrono::seconds(180);
const std::string kPullPassword = "pull-secret";

std::string random_suffix() {
    std::random_device device;
    std::mt19937_64 rng(device());
    std::ostringstream out;
    out << std::hex << rng();
    return out.str();
}

// The text of the disconnect message OpenSSH prints as
// "Received disconnect from 127.0.0.1 port N:CODE: TEXT", empty if none.
std::string disconnect_message(const std::string& err) {
    const std::string marker = "Received disconnect from ";
    const auto at = err.find(marker);
    if (at == std::string::npos) return {};
    const auto end = err.find('\n', at);
    const auto line = err.substr(at, end == std::string::npos ? std::string::npos : end - at);
    const auto colon = line.find(": ");
    return colon == std::string::npos ? std::string() : line.substr(colon + 2);
}

bool contains_ignoring_case(std::string text, std::string word) {
    for (auto* s : {&text, &word}) {
        for (auto& c : *s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return text.find(word) != std::string::npos;
}

// The gateway's first error or warning line with a DOCKER_ code, empty if none.
std::string docker_failure_line(const Gateway& gateway) {
    for (const auto& line : gateway.lines()) {
        const auto level = json_field(line, "level");
        if (json_field(line, "code").rfind("DOCKER_", 0) == 0 && (level == "error" || level == "warning" ||
                                                                  level == "crit")) {
            return line;
        }
    }
    return {};
}

struct PullSettings {
    std::string image;
    std::string policy;
    std::string password = kPullPassword;  // for the registry
};

// A registry, a unique user and a gateway configured by `settings` (made per
// test, since the image reference names the registry's port).
class PullFixture {
public:
    docker::LocalRegistry registry;
    const std::string user = "dpull" + random_suffix();
    const std::string password = "login-" + random_suffix();
    std::unique_ptr<Gateway> gateway;

    ~PullFixture() {
        if (gateway && current_test_failed()) {
            std::cerr << "---- gateway log (" << user << ") ----\n";
            for (const auto& line : gateway->lines()) std::cerr << line << "\n";
            std::cerr << "---- end of gateway log ----\n";
        }
        try {
            for (const auto& id : containers()) docker::cli({"rm", "-f", id});
        } catch (const std::exception& e) {
            std::cerr << "cannot clean up the containers of " << user << ": " << e.what() << "\n";
        }
    }

    void start_gateway(const PullSettings& settings) {
        const std::string config =
            "auth:\n"
            "  password:\n"
            "    method: static\n"
            "    static:\n"
            "      users:\n"
            "        " + user + ":\n"
            "          password: \"" + password + "\"\n"
            "backend: docker\n"
            "docker:\n"
            "  connection:\n"
            "    host: " + docker::engine_host() + "\n"
            "  execution:\n"
            "    container:\n"
            "      image: " + settings.image + "\n"
            "    imagePullPolicy: " + settings.policy + "\n"
            "    mode: connection\n"
            "    auth:\n"
            "      username: puller\n"
            "      password: " + settings.password + "\n"
            "      serveraddress: " + registry.address() + "\n";
        gateway = std::make_unique<Gateway>(config);
    }

    RunResult ssh(const std::string& command) {
        const SshLogin login{user, password, {}};
        return csh::test::ssh(*gateway, login, {}, {command}, "", kSshTimeout);
    }

    std::vector<std::string> containers() const { return docker::containers_labelled("containerssh_username=" + user); }

    // Polls until no container of this test's user exists; returns what is left.
    std::vector<std::string> wait_until_no_containers() const {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
        auto left = containers();
        while (!left.empty() && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
            left = containers();
        }
        return left;
    }

    // Waits until `code` was logged `n` times (the log is read asynchronously).
    size_t wait_count(const std::string& code, size_t n) const {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (gateway->count(code) < n && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return gateway->count(code);
    }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(pull_policy, PullFixture)

BOOST_AUTO_TEST_CASE(always_pulls_on_every_login) {
    const auto image = registry.push_guest_image("always");
    BOOST_TEST(docker::cli({"image", "inspect", image}).exit_code != 0);  // not in the engine before
    start_gateway({image, "Always"});

    const auto first = ssh("echo pulled-$((20+22))");
    BOOST_TEST_INFO("stderr: " << first.err);
    BOOST_TEST(first.exit_code == 0);
    BOOST_TEST(first.out == "pulled-42\n");
    BOOST_TEST(wait_count("SSH_DISCONNECTED", 1) == 1u);
    BOOST_TEST(gateway->count("DOCKER_IMAGE_PULL") == 1u);
    BOOST_TEST(docker::cli({"image", "inspect", image}).exit_code == 0);  // now it is

    // Present now, and pulled again all the same.
    const auto second = ssh("echo again");
    BOOST_TEST(second.exit_code == 0);
    BOOST_TEST(second.out == "again\n");
    BOOST_TEST(wait_count("SSH_DISCONNECTED", 2) == 2u);
    BOOST_TEST(gateway->count("DOCKER_IMAGE_PULL") == 2u);
    BOOST_TEST(gateway->count("DOCKER_IMAGE_PULL_FAILED") == 0u);
    BOOST_TEST(wait_until_no_containers().empty());
}

BOOST_AUTO_TEST_CASE(if_not_present_pulls_only_a_missing_image) {
    const auto image = registry.push_guest_image("ifnotpresent");
    start_gateway({image, "IfNotPresent"});

    const auto first = ssh("echo first");
    BOOST_TEST_INFO("stderr: " << first.err);
    BOOST_TEST(first.exit_code == 0);
    BOOST_TEST(first.out == "first\n");
    BOOST_TEST(wait_count("SSH_DISCONNECTED", 1) == 1u);
    BOOST_TEST(gateway->count("DOCKER_IMAGE_PULL") == 1u);

    const auto second = ssh("echo second");
    BOOST_TEST(second.exit_code == 0);
    BOOST_TEST(second.out == "second\n");
    BOOST_TEST(wait_count("SSH_DISCONNECTED", 2) == 2u);
    BOOST_TEST(gateway->count("DOCKER_IMAGE_PULL") == 1u);  // present: no second pull
    BOOST_TEST(wait_until_no_containers().empty());
}

BOOST_AUTO_TEST_CASE(never_with_a_missing_image_fails_the_login_clearly) {
    const auto image = registry.push_guest_image("never");  // in the registry, not in the engine
    start_gateway({image, "Never"});

    const auto r = ssh("echo never-runs");
    BOOST_TEST(r.exit_code == 255);
    BOOST_TEST(r.out.empty());
    const auto message = disconnect_message(r.err);
    BOOST_TEST_MESSAGE("the user saw: " << message);
    BOOST_TEST_INFO("stderr: " << r.err);
    BOOST_TEST(contains_ignoring_case(message, "image"));
    BOOST_TEST(wait_count("SSH_DISCONNECTED", 1) == 1u);
    const auto failure = docker_failure_line(*gateway);
    BOOST_TEST_MESSAGE("logged: " << failure);
    BOOST_TEST(!failure.empty());
    BOOST_TEST(failure.find(image) != std::string::npos);  // names the image it could not use
    BOOST_TEST(gateway->count("DOCKER_IMAGE_PULL") == 0u);  // Never means never
    BOOST_TEST(docker::cli({"image", "inspect", image}).exit_code != 0);
    BOOST_TEST(wait_until_no_containers().empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(registry_failures, PullFixture)

BOOST_AUTO_TEST_CASE(wrong_registry_password_fails_the_pull_and_leaks_nothing) {
    const auto image = registry.push_guest_image("wrongpassword");
    const std::string wrong = "wrong-" + random_suffix();
    start_gateway({image, "Always", wrong});

    const auto r = ssh("echo never-runs");
    BOOST_TEST(r.exit_code == 255);
    BOOST_TEST(r.out.empty());
    const auto message = disconnect_message(r.err);
    BOOST_TEST_MESSAGE("the user saw: " << message);
    BOOST_TEST_INFO("stderr: " << r.err);
    BOOST_TEST(contains_ignoring_case(message, "image"));
    // One line for the user: the message, not the registry's error dump.
    BOOST_TEST(message.find('\n') == std::string::npos);
    BOOST_TEST(r.err.find(wrong) == std::string::npos);
    const auto failed = gateway->wait_for("DOCKER_IMAGE_PULL_FAILED", std::chrono::seconds(120));
    BOOST_TEST_MESSAGE("logged: " << failed);
    BOOST_TEST(!failed.empty());
    BOOST_TEST(wait_count("SSH_DISCONNECTED", 1) == 1u);
    for (const auto& line : gateway->lines()) BOOST_TEST(line.find(wrong) == std::string::npos);  // no secret logged
    BOOST_TEST(docker::cli({"image", "inspect", image}).exit_code != 0);
    BOOST_TEST(wait_until_no_containers().empty());
}

BOOST_AUTO_TEST_CASE(an_image_that_exists_nowhere_fails_and_the_gateway_keeps_serving) {
    const auto image = registry.address() + "/nowhere-" + random_suffix() + ":latest";
    start_gateway({image, "IfNotPresent"});

    const auto r = ssh("echo never-runs");
    BOOST_TEST(r.exit_code == 255);
    BOOST_TEST(r.out.empty());
    const auto message = disconnect_message(r.err);
    BOOST_TEST_MESSAGE("the user saw: " << message);
    BOOST_TEST_INFO("stderr: " << r.err);
    BOOST_TEST(contains_ignoring_case(message, "image"));
    const auto failed = gateway->wait_for("DOCKER_IMAGE_PULL_FAILED", std::chrono::seconds(120));
    BOOST_TEST(!failed.empty());
    BOOST_TEST(failed.find(image) != std::string::npos);
    BOOST_TEST(wait_until_no_containers().empty());

    // The same gateway serves the next login once the image exists (nothing
    // remembered from the failure).
    BOOST_TEST(registry.push_guest_image(image.substr(image.find('/') + 1, image.rfind(':') - image.find('/') - 1)) ==
               image);
    const auto next = ssh("echo served");
    BOOST_TEST_INFO("stderr: " << next.err);
    BOOST_TEST(next.exit_code == 0);
    BOOST_TEST(next.out == "served\n");
    BOOST_TEST(wait_until_no_containers().empty());
}

BOOST_AUTO_TEST_SUITE_END()
