#include "harness/gateway.hpp"

#include <boost/test/unit_test.hpp>

#include <simdjson.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

namespace csh::test {

namespace {
std::optional<Locations>& installed_locations() {
    static std::optional<Locations> locations;
    return locations;
}
}  // namespace

void use_locations(Locations locations) { installed_locations() = std::move(locations); }

std::string gateway_binary() {
    return installed_locations() ? installed_locations()->gateway.string() : CSH_GATEWAY_BINARY;
}
std::string test_plugin_dir() {
    return installed_locations() ? installed_locations()->test_plugins.string() : CSH_TEST_PLUGIN_DIR;
}
std::string shipped_plugin_dir() {
    return installed_locations() ? installed_locations()->shipped_plugins.string() : CSH_PLUGIN_BUILD_DIR;
}
std::string clients_dir() {
    return installed_locations() ? installed_locations()->clients.string() : CSH_TEST_CLIENTS_DIR;
}
std::string client_script(const std::string& name) { return clients_dir() + "/" + name; }

namespace {
std::vector<std::filesystem::path>& extra_plugin_dirs() {
    static std::vector<std::filesystem::path> dirs;
    return dirs;
}
}  // namespace

void add_plugin_dir(const std::filesystem::path& dir) { extra_plugin_dirs().push_back(dir); }

std::filesystem::path make_key(const std::filesystem::path& dir, const std::string& name) {
    const auto key = dir / name;
    const auto r = run({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", key.string()});
    if (r.exit_code != 0) throw std::runtime_error("ssh-keygen failed: " + r.err);
    return key;
}

std::string json_field(const std::string& line, const std::string& key) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(line).get(doc) != simdjson::SUCCESS) return {};
    std::string_view value;
    if (doc[key].get(value) == simdjson::SUCCESS) return std::string(value);
    if (doc["details"][key].get(value) == simdjson::SUCCESS) return std::string(value);
    return {};
}

std::filesystem::path write_gateway_config(const std::filesystem::path& dir, const std::string& config_body,
                                           bool generate_host_key, const std::vector<std::string>& ssh_settings) {
    std::ostringstream config;
    config << "ssh:\n";
    // Any free port, unless the test names the address (a restart on the
    // same address, say).
    const auto given = [&](const char* key) {
        return std::any_of(ssh_settings.begin(), ssh_settings.end(),
                           [&](const std::string& setting) { return setting.rfind(key, 0) == 0; });
    };
    if (!given("listen:")) config << "  listen: 127.0.0.1:0\n";
    // Connections close at once on SIGTERM, as the suites written before the
    // drain expect, and a teardown with sessions open does not wait for
    // them; the suites that test the drain name their ssh.drainTimeout.
    if (!given("drainTimeout:")) config << "  drainTimeout: 0s\n";
    for (const auto& setting : ssh_settings) config << "  " << setting << "\n";
    if (generate_host_key) config << "  hostkeys:\n    - " << make_key(dir, "host_key").string() << "\n";
    config << "log:\n  level: debug\n";
    config << "plugins:\n  path:\n    - " << test_plugin_dir() << "\n    - " << shipped_plugin_dir() << "\n";
    for (const auto& extra : extra_plugin_dirs()) config << "    - " << extra.string() << "\n";
    config << config_body;
    const auto path = dir / "config.yaml";
    std::ofstream(path) << config.str();
    return path;
}

Gateway::Gateway(const std::string& config_body, bool generate_host_key,
                 const std::vector<std::string>& ssh_settings) {
    start(write_gateway_config(dir(), config_body, generate_host_key, ssh_settings));
}

Gateway::Gateway(const ExistingConfig& config) { start(config.file); }

void Gateway::start(const std::filesystem::path& config_file) {
    // setpriv execs the gateway in place (same pid) with a parent-death
    // signal, so a test that crashes or times out never leaves a gateway behind.
    child_ = std::make_unique<Child>(std::vector<std::string>{"setpriv", "--pdeathsig", "KILL", "--", gateway_binary(),
                                                              "--config", config_file.string()},
                                     std::map<std::string, std::string>{}, (dir() / "gateway.stderr").string());
    reader_ = std::thread([this] { read_log(); });
    const auto available = wait_for("SSH_AVAILABLE", std::chrono::seconds(20));
    if (available.empty()) {
        stop(SIGKILL);  // joins the reader before the exception leaves the constructor
        std::string log;
        for (const auto& l : lines()) log += l + "\n";
        throw std::runtime_error("the gateway did not start:\n" + log + stderr_text());
    }
    const auto listen = json_field(available, "listen");
    port_ = std::stoi(listen.substr(listen.rfind(':') + 1));
}

Gateway::~Gateway() {
    if (stopped_by_test_) return;
    const std::string problem = teardown_problem();
    if (problem.empty()) return;
    std::string log;
    const auto all = lines();
    for (size_t i = all.size() > 20 ? all.size() - 20 : 0; i < all.size(); ++i) log += all[i] + "\n";
    BOOST_ERROR(problem << "\n--- its stderr ---\n" << stderr_text() << "--- its last log lines ---\n" << log);
}

std::string Gateway::teardown_problem() {
    if (const auto code = child_->exited()) {
        if (reader_.joinable()) reader_.join();
        return "the gateway died before the test ended (exit code " + std::to_string(*code) + ")";
    }
    const int code = stop_child(SIGTERM);
    if (code == -1) return "the gateway did not stop within 30 s of SIGTERM (killed)";
    if (code != 0) return "the gateway exited with code " + std::to_string(code) + " after SIGTERM";
    const std::string err = stderr_text();
    for (const char* report : {"Sanitizer", "runtime error:"}) {
        if (err.find(report) != std::string::npos) return "the gateway wrote a sanitizer report";
    }
    return {};
}

int Gateway::stop(int signal) {
    stopped_by_test_ = true;
    return stop_child(signal);
}

int Gateway::stop_child(int signal) {
    const int code = child_->stop(signal, std::chrono::seconds(30));
    if (reader_.joinable()) reader_.join();
    return code;
}

std::string Gateway::stderr_text() const {
    std::ifstream in(dir() / "gateway.stderr");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void Gateway::read_log() {
    std::string line;
    while (child_->read_line(line, std::chrono::hours(1))) {
        std::lock_guard lock(mutex_);
        lines_.push_back(line);
        changed_.notify_all();
    }
    std::lock_guard lock(mutex_);
    ended_ = true;
    changed_.notify_all();
}

std::string Gateway::wait_for(const std::string& code, std::chrono::milliseconds timeout) {
    const std::string needle = "\"code\":\"" + code + "\"";
    std::unique_lock lock(mutex_);
    std::string found;
    changed_.wait_for(lock, timeout, [&] {
        for (const auto& l : lines_) {
            if (l.find(needle) != std::string::npos) {
                found = l;
                return true;
            }
        }
        return ended_;
    });
    return found;
}

size_t Gateway::count(const std::string& code) const {
    const std::string needle = "\"code\":\"" + code + "\"";
    std::lock_guard lock(mutex_);
    size_t n = 0;
    for (const auto& l : lines_) n += l.find(needle) != std::string::npos ? 1 : 0;
    return n;
}

std::vector<std::string> Gateway::lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
}

RunResult run_gateway(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
    std::vector<std::string> argv{gateway_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, "", {}, timeout);
}

RunResult run_gateway_config(const std::string& config_body, std::chrono::milliseconds timeout) {
    TempDir dir;
    return run_gateway({"--config", write_gateway_config(dir.path(), config_body).string()}, timeout);
}

std::vector<std::string> ssh_command(const Gateway& gateway, const SshLogin& login,
                                     const std::vector<std::string>& options,
                                     const std::vector<std::string>& command) {
    std::vector<std::string> cmd{"ssh", "-p", std::to_string(gateway.port()),
                                 "-o", "StrictHostKeyChecking=no",
                                 "-o", "UserKnownHostsFile=/dev/null",
                                 "-o", "LogLevel=ERROR",
                                 "-o", "ConnectTimeout=20",
                                 "-F", "/dev/null"};
    // ssh keeps the first value of an option: the test's options win.
    cmd.insert(cmd.begin() + 1, options.begin(), options.end());
    if (!login.password.empty()) {
        for (const char* o : {"PreferredAuthentications=password", "PubkeyAuthentication=no",
                              "NumberOfPasswordPrompts=1"}) {
            cmd.insert(cmd.end(), {"-o", o});
        }
    } else {
        cmd.insert(cmd.end(), {"-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o",
                               "PreferredAuthentications=publickey", "-i", login.identity.string()});
    }
    cmd.push_back(login.user + "@127.0.0.1");
    cmd.insert(cmd.end(), command.begin(), command.end());
    return cmd;
}

std::map<std::string, std::string> ssh_env(const Gateway& gateway, const SshLogin& login) {
    if (login.password.empty()) return {};
    const auto askpass = gateway.dir() / "askpass.sh";
    if (!std::filesystem::exists(askpass)) {
        std::ofstream(askpass) << "#!/bin/sh\nprintf '%s\\n' \"$CSH_TEST_PASSWORD\"\n";
        std::filesystem::permissions(askpass, std::filesystem::perms::owner_all);
    }
    return {{"SSH_ASKPASS", askpass.string()}, {"SSH_ASKPASS_REQUIRE", "force"}, {"DISPLAY", ":0"},
            {"CSH_TEST_PASSWORD", login.password}};
}

RunResult ssh(const Gateway& gateway, const SshLogin& login, const std::vector<std::string>& options,
              const std::vector<std::string>& command, const std::string& input,
              std::chrono::milliseconds timeout) {
    return run(ssh_command(gateway, login, options, command), input, ssh_env(gateway, login), timeout);
}

}  // namespace csh::test
