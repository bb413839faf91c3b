// A real containerssh process for a test: its own directory, configuration,
// host key and test plugins, listening on a free loopback port. Its log
// (ljson on stdout) is collected so tests can assert the codes it wrote.
#pragma once

#include "file_contents.hpp"  // read_file, write_file for the suites
#include "process.hpp"
#include "temp_dir.hpp"

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace csh::test {

// Writes DIR/config.yaml: the harness's ssh (any free loopback port, a new
// host key in DIR, ssh.drainTimeout 0s), log and plugins sections, then
// `config_body`. See Gateway for `ssh_settings`. Returns the file's path.
std::filesystem::path write_gateway_config(const std::filesystem::path& dir, const std::string& config_body,
                                           bool generate_host_key = true,
                                           const std::vector<std::string>& ssh_settings = {});

// A test's gateway ends with SIGTERM when the Gateway goes, and the test
// fails unless it then exits 0 with no sanitizer report on its stderr (kept
// in DIR/gateway.stderr), or when it had died before. A test that stops the
// gateway itself with stop() judges the exit code itself.
class Gateway {
public:
    // `config_body` is YAML added after the harness's ssh/log/plugins
    // sections; `ssh_settings` are extra "key: value" lines for the ssh section
    // (a "listen: ..." line replaces the default 127.0.0.1:0, a
    // "drainTimeout: ..." line the default 0s: close at once on SIGTERM).
    explicit Gateway(const std::string& config_body, bool generate_host_key = true,
                     const std::vector<std::string>& ssh_settings = {});
    // A gateway started from a configuration file that exists already (a
    // restart on the file an earlier gateway rewrote, say).
    struct ExistingConfig {
        std::filesystem::path file;
    };
    explicit Gateway(const ExistingConfig& config);
    ~Gateway();

    int port() const { return port_; }
    const std::filesystem::path& dir() const { return dir_.path(); }
    // Waits until a line with `code` was logged; returns it (empty on timeout).
    std::string wait_for(const std::string& code, std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // How many lines with `code` were logged so far.
    size_t count(const std::string& code) const;
    std::vector<std::string> lines() const;
    // Stops the process with `signal`; returns its exit code. The test then
    // owns the verdict on how the gateway ended.
    int stop(int signal);
    // What the gateway wrote on stderr so far.
    std::string stderr_text() const;
    pid_t pid() const { return child_->pid(); }
    // True while the process has not exited (a dead one is reaped, so a pid
    // check cannot mistake a zombie for a live gateway).
    bool running() { return !child_->exited().has_value(); }

private:
    void start(const std::filesystem::path& config_file);
    void read_log();
    int stop_child(int signal);
    // The teardown verdict: empty when the gateway ended cleanly.
    std::string teardown_problem();

    TempDir dir_;
    std::unique_ptr<Child> child_;
    std::thread reader_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::string> lines_;
    bool ended_ = false;
    bool stopped_by_test_ = false;
    int port_ = 0;
};

// Where the harness finds what it runs: the build tree's paths, given by
// CMake, unless a program installed with the gateway (containerssh-conformance)
// named its installed tree's with use_locations() before anything ran. Every
// path the harness uses comes from one of these functions, so the suites run
// the same way from the build tree and from an installed, movable tree.
struct Locations {
    std::filesystem::path gateway;          // the containerssh executable
    std::filesystem::path test_plugins;     // auth-static and the other plugins of the tests
    std::filesystem::path shipped_plugins;  // the plugins shipped with the gateway
    std::filesystem::path clients;          // the asyncssh client scripts (tests/integration/clients)
};
void use_locations(Locations locations);
std::string gateway_binary();
std::string test_plugin_dir();
std::string shipped_plugin_dir();
std::string clients_dir();
// One of the asyncssh client scripts of clients_dir(), by file name.
std::string client_script(const std::string& name);
// Adds a plugin directory to every gateway configuration written after the
// call (a third party's plugins under test).
void add_plugin_dir(const std::filesystem::path& dir);

// Runs the containerssh binary once with arguments (for command-line tests).
RunResult run_gateway(const std::vector<std::string>& args, std::chrono::milliseconds timeout = std::chrono::seconds(30));
// Runs it once with the configuration write_gateway_config makes of
// `config_body`, until it exits (for start-ups that must fail).
RunResult run_gateway_config(const std::string& config_body,
                             std::chrono::milliseconds timeout = std::chrono::seconds(30));

// The value of "key" in an ljson line's details (or top level), empty if absent.
std::string json_field(const std::string& line, const std::string& key);

// OpenSSH client options for talking to a test gateway.
struct SshLogin {
    std::string user;
    std::string password;              // password login when set
    std::filesystem::path identity;    // key login when set
};
// `options` go before the destination, `command` after it.
std::vector<std::string> ssh_command(const Gateway& gateway, const SshLogin& login,
                                     const std::vector<std::string>& options,
                                     const std::vector<std::string>& command);
std::map<std::string, std::string> ssh_env(const Gateway& gateway, const SshLogin& login);
RunResult ssh(const Gateway& gateway, const SshLogin& login, const std::vector<std::string>& options,
              const std::vector<std::string>& command, const std::string& input = "",
              std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Generates an Ed25519 key pair with ssh-keygen; returns the private key path.
std::filesystem::path make_key(const std::filesystem::path& dir, const std::string& name);

}  // namespace csh::test
