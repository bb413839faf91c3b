// The Docker side of the integration suites: the shared engine the ctest
// fixture docker_engine brings up (tests/docker), the guest image in it, the
// docker CLI, gateway configurations for the docker backend, and two peers a
// suite owns alone: a private engine it may stop, and an image registry.
#pragma once

#include "temp_dir.hpp"

#include <memory>
#include <string>
#include <vector>

namespace csh::test {
class Child;
}

namespace csh::test::docker {

// The shared engine's host (e.g. unix:///...), written by the fixture to the
// file named by CSH_DOCKER_ENGINE_HOST_FILE; throws when the fixture did not run.
std::string engine_host();
// The guest image the fixture imported: busybox, bash, sftp-server, the agent.
std::string guest_image();

struct CliResult {
    int exit_code;
    std::string out;
    std::string err;
};
// Runs `docker args...` against `host`.
CliResult cli(const std::vector<std::string>& args, const std::string& host = engine_host());

// Ids of all containers (running or not) matching `docker ps --filter
// label=<selector>`, e.g. "containerssh_connection_id". Throws when the
// engine does not answer, so an engine that is down never reads as "none".
std::vector<std::string> containers_labelled(const std::string& selector, const std::string& host = engine_host());

// The gateway configuration body (Gateway's config_body) selecting the docker
// backend on `host` with the guest image, imagePullPolicy Never and `mode`
// ("connection" or "session"). `extra_execution_yaml` is appended as is; its
// lines are indented by the caller (4 spaces for keys under execution).
std::string backend_config(const std::string& mode, const std::string& extra_execution_yaml = "",
                           const std::string& host = engine_host());

// A dockerd of the test's own, for tests that stop or kill the engine (the
// shared one is never stopped by a test). Always a new daemon in a temporary
// directory (scripts/docker-engine start-private), with the guest image copied
// in from the shared engine. If the test process dies, a watchdog stops it.
class PrivateEngine {
public:
    PrivateEngine();
    ~PrivateEngine();  // stops the daemon and removes its directory
    PrivateEngine(const PrivateEngine&) = delete;
    PrivateEngine& operator=(const PrivateEngine&) = delete;

    std::string host() const { return host_; }
    // An engine outage: the daemon ends (TERM, then KILL), stopping the
    // containers it runs as it goes; they and the images stay for start().
    void stop();
    // The daemon again, on the same host, with the same images.
    void start();

private:
    TempDir dir_;
    std::string host_;
};

// A docker-registry on 127.0.0.1:<free port> requiring basic auth (user
// "puller", password "pull-secret"), storing in a temporary directory.
class LocalRegistry {
public:
    LocalRegistry();
    ~LocalRegistry();  // stops it and untags what push_guest_image pulled into the shared engine
    LocalRegistry(const LocalRegistry&) = delete;
    LocalRegistry& operator=(const LocalRegistry&) = delete;

    // "127.0.0.1:<port>", the registry's name in image references and in
    // docker.execution.auth.serveraddress.
    std::string address() const;
    // Pushes guest_image() from the shared engine as <address>/<repo>:latest
    // and removes that tag locally, so using it needs a pull. Returns the reference.
    std::string push_guest_image(const std::string& repo);

private:
    TempDir dir_;
    int port_ = 0;
    std::unique_ptr<Child> process_;
    std::vector<std::string> pushed_;
};

}  // namespace csh::test::docker
