#include "harness/docker.hpp"

#include "file_contents.hpp"
#include "harness/loopback.hpp"
#include "process.hpp"

#include <crypt.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace csh::test::docker {

namespace {

constexpr auto kCliTimeout = std::chrono::seconds(120);

std::string trim(std::string s) {
    const auto end = s.find_last_not_of(" \t\r\n");
    s.erase(end == std::string::npos ? 0 : end + 1);
    return s.substr(std::min(s.size(), s.find_first_not_of(" \t\r\n")));
}

std::string describe(const std::vector<std::string>& argv, const RunResult& r) {
    std::string text;
    for (const auto& a : argv) text += a + " ";
    return text + "exited " + std::to_string(r.exit_code) + (r.timed_out ? " (timed out)" : "") + ": " + r.err +
           r.out;
}

// Runs a helper script; its trimmed stdout, or an exception saying why not.
std::string run_script(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {}) {
    const auto r = run(argv, "", env, std::chrono::seconds(120));
    if (r.exit_code != 0) throw std::runtime_error(describe(argv, r));
    return trim(r.out);
}

// An htpasswd line with a bcrypt hash, the only kind docker-registry accepts
// (libxcrypt makes it; no extra tool needed).
std::string htpasswd_line(const std::string& user, const std::string& password) {
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    if (crypt_gensalt_rn("$2b$", 5, nullptr, 0, salt, sizeof salt) == nullptr) {
        throw std::runtime_error("crypt_gensalt_rn($2b$) failed");
    }
    crypt_data data{};
    const char* hash = crypt_rn(password.c_str(), salt, &data, sizeof data);
    if (hash == nullptr || hash[0] == '*') throw std::runtime_error("bcrypt hashing failed");
    return user + ":" + hash + "\n";
}

// True once `pid` (our child, not yet reaped) has ended: a zombie or gone.
bool has_exited(pid_t pid) {
    std::string stat;
    try {
        stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    } catch (const std::exception&) {
        return true;
    }
    const auto paren = stat.rfind(')');
    return paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] == 'Z';
}

}  // namespace

std::string engine_host() {
    const std::filesystem::path file = CSH_DOCKER_ENGINE_HOST_FILE;
    if (!std::filesystem::exists(file)) {
        throw std::runtime_error("no Docker engine for the tests: " + file.string() +
                                 " is missing. The ctest fixture docker_engine writes it: run the suite through "
                                 "ctest (it adds docker_engine_up), or `ctest -R docker_engine_up` first.");
    }
    const auto host = trim(read_file(file.string()));
    if (host.empty()) throw std::runtime_error(file.string() + " is empty");
    return host;
}

std::string guest_image() { return "containerssh-test-guest:latest"; }

CliResult cli(const std::vector<std::string>& args, const std::string& host) {
    std::vector<std::string> argv{"docker"};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto r = run(argv, "", {{"DOCKER_HOST", host}}, kCliTimeout);
    return {r.exit_code, r.out, r.err};
}

std::vector<std::string> containers_labelled(const std::string& selector, const std::string& host) {
    const auto r = cli({"ps", "-a", "-q", "--no-trunc", "--filter", "label=" + selector}, host);
    if (r.exit_code != 0) throw std::runtime_error("docker ps on " + host + " failed: " + r.err);
    std::vector<std::string> ids;
    std::istringstream in(r.out);
    std::string id;
    while (in >> id) ids.push_back(id);
    return ids;
}

std::string backend_config(const std::string& mode, const std::string& extra_execution_yaml,
                           const std::string& host) {
    std::string yaml =
        "backend: docker\n"
        "docker:\n"
        "  connection:\n"
        "    host: " + host + "\n"
        "  execution:\n"
        "    container:\n"
        "      image: " + guest_image() + "\n"
        "    imagePullPolicy: Never\n"
        "    mode: " + mode + "\n";
    yaml += extra_execution_yaml;
    if (!yaml.empty() && yaml.back() != '\n') yaml += "\n";
    return yaml;
}

// ---- PrivateEngine

PrivateEngine::PrivateEngine() {
    start();
    // docker save/load keeps the image id and its tag: the same image as in
    // the shared engine, without another build.
    const std::vector<std::string> copy{
        "bash", "-c", "set -o pipefail; DOCKER_HOST=\"$1\" docker save \"$3\" | DOCKER_HOST=\"$2\" docker load",
        "copy-image", engine_host(), host_, guest_image()};
    const auto r = run(copy, "", {}, kCliTimeout);
    if (r.exit_code != 0) {
        run_script({CSH_DOCKER_ENGINE_SCRIPT, "stop", dir_.path().string()});
        throw std::runtime_error("cannot copy the guest image into the private engine: " + describe(copy, r));
    }
}

PrivateEngine::~PrivateEngine() {
    try {
        run_script({CSH_DOCKER_ENGINE_SCRIPT, "stop", dir_.path().string()});
    } catch (...) {
        // A destructor must not throw; the watchdog of scripts/docker-engine
        // stops the daemon when this process ends.
    }
}

void PrivateEngine::start() {
    host_ = run_script({CSH_DOCKER_ENGINE_SCRIPT, "start-private", dir_.path().string()},
                       {{"CSH_DOCKER_ENGINE_OWNER", std::to_string(::getpid())}});
}

// An outage leaves the containers to the daemon, which stops them as it exits.
void PrivateEngine::stop() { run_script({CSH_DOCKER_ENGINE_SCRIPT, "outage", dir_.path().string()}); }

// ---- LocalRegistry

LocalRegistry::LocalRegistry() {
    write_file(dir_.file("htpasswd"), htpasswd_line("puller", "pull-secret"));
    std::filesystem::create_directories(dir_.path() / "docker-config");
    // The port is free when chosen but may be taken before the registry binds
    // it; then the registry exits and another port is tried.
    for (int attempt = 0; attempt < 5; ++attempt) {
        port_ = free_loopback_port();
        std::ostringstream config;
        config << "version: 0.1\n"
               << "log:\n  level: warn\n"
               << "storage:\n  filesystem:\n    rootdirectory: " << dir_.file("storage") << "\n"
               << "http:\n  addr: " << address() << "\n  secret: csh-test-registry\n"
               << "auth:\n  htpasswd:\n    realm: csh-test\n    path: " << dir_.file("htpasswd") << "\n";
        write_file(dir_.file("config.yml"), config.str());
        // setpriv: the registry dies with the test even if the test crashes.
        process_ = std::make_unique<Child>(std::vector<std::string>{
            "setpriv", "--pdeathsig", "KILL", "--", "sh", "-c", "exec docker-registry serve \"$1\" >>\"$2\" 2>&1",
            "registry", dir_.file("config.yml"), dir_.file("registry.log")});
        for (int i = 0; i < 200; ++i) {
            // Unauthenticated /v2/ answers 401 once the registry serves.
            const auto r = run({"curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", "2",
                                "http://" + address() + "/v2/"});
            if (r.out == "401") return;
            if (has_exited(process_->pid())) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        process_->stop(SIGKILL, std::chrono::seconds(5));
    }
    throw std::runtime_error("docker-registry did not start:\n" + read_file(dir_.file("registry.log")));
}

LocalRegistry::~LocalRegistry() {
    for (const auto& ref : pushed_) {
        try {
            cli({"rmi", ref});  // a pulled copy; only the tag goes, the guest image stays
        } catch (...) {
        }
    }
    if (process_) process_->stop(SIGTERM, std::chrono::seconds(10));
}

std::string LocalRegistry::address() const { return "127.0.0.1:" + std::to_string(port_); }

std::string LocalRegistry::push_guest_image(const std::string& repo) {
    const auto ref = address() + "/" + repo + ":latest";
    const std::map<std::string, std::string> env{{"DOCKER_HOST", engine_host()},
                                                 {"DOCKER_CONFIG", dir_.file("docker-config")}};
    const std::vector<std::vector<std::string>> steps{
        {"docker", "tag", guest_image(), ref},
        {"docker", "login", "--username", "puller", "--password-stdin", address()},
        {"docker", "push", ref},
        {"docker", "rmi", ref},
    };
    pushed_.push_back(ref);
    for (const auto& step : steps) {
        const auto r = run(step, step[1] == "login" ? "pull-secret\n" : "", env, kCliTimeout);
        if (r.exit_code != 0) throw std::runtime_error(describe(step, r));
    }
    return ref;
}

}  // namespace csh::test::docker
