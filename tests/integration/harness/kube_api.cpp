#include "harness/kube_api.hpp"

#include "harness/docker.hpp"

#include "file_contents.hpp"
#include "process.hpp"

#include <unistd.h>

#include <csignal>
#include <random>
#include <sstream>
#include <stdexcept>

namespace csh::test::kube {

namespace {

std::string random_hex(std::size_t bytes) {
    std::random_device rd;
    std::ostringstream out;
    for (std::size_t i = 0; i < bytes; ++i) {
        out << std::hex << ((rd() & 0xf0) >> 4) << (rd() & 0x0f);
    }
    return out.str();
}

std::string url_encode(const std::string& s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

const char* kLabel = "io.containerssh.kube-api-server/instance";

}  // namespace

std::string kubectl_binary(const std::string& version) { return "/usr/lib/google-cloud-sdk/bin/kubectl." + version; }

KubeApiServer::KubeApiServer(std::string docker_host)
    : docker_host_(docker_host.empty() ? docker::engine_host() : std::move(docker_host)),
      token_("csh-kube-test-token-" + random_hex(8)),
      instance_("kapi-" + random_hex(6)) {
    // Outlives a crashed test (its own session, no death signal): once the
    // test process is gone, it removes this server's containers and volumes.
    const std::string owner = std::to_string(::getpid());
    watchdog_ = std::make_unique<Child>(std::vector<std::string>{
        "setsid", "sh", "-c",
        "exec </dev/null >/dev/null 2>&1; while kill -0 \"$1\" 2>/dev/null; do sleep 1; done; "
        "ids=$(docker ps -aq --filter \"label=$2\"); [ -n \"$ids\" ] && docker rm -f $ids; "
        "vols=$(docker volume ls -q --filter \"label=$2\"); [ -n \"$vols\" ] && docker volume rm $vols; "
        "rm -rf \"$3\"",
        "kube-api-watchdog", owner, std::string(kLabel) + "=" + instance_, dir_.path().string()},
        std::map<std::string, std::string>{{"DOCKER_HOST", docker_host_}});
    start();
}

KubeApiServer::~KubeApiServer() {
    try {
        stop();
    } catch (...) {
    }
    try {
        const auto ids = containers();
        if (!ids.empty()) {
            std::vector<std::string> args{"rm", "-f"};
            args.insert(args.end(), ids.begin(), ids.end());
            docker::cli(args, docker_host_);
        }
        const auto vols = docker::cli({"volume", "ls", "-q", "--filter", std::string("label=") + kLabel + "=" + instance_},
                                      docker_host_);
        std::istringstream in(vols.out);
        std::vector<std::string> args{"volume", "rm"};
        for (std::string v; in >> v;) args.push_back(v);
        if (args.size() > 2) docker::cli(args, docker_host_);
    } catch (...) {
        // The watchdog still removes them once this process is gone.
    }
}

void KubeApiServer::start() {
    if (process_) return;
    // setpriv: the server dies with the test even if the test crashes.
    process_ = std::make_unique<Child>(
        std::vector<std::string>{"setpriv", "--pdeathsig", "KILL", "--", "/usr/bin/python3", CSH_KUBE_API_SERVER,
                                 "--pki", dir_.file("pki"), "--state", dir_.file("state"), "--docker-host",
                                 docker_host_, "--token", token_, "--instance", instance_, "--port",
                                 std::to_string(port_), "--verbose"},
        std::map<std::string, std::string>{}, dir_.file("server.log"));
    std::string line;
    while (process_->read_line(line, std::chrono::seconds(30))) {
        if (line.rfind("READY https://127.0.0.1:", 0) == 0) {
            port_ = std::stoi(line.substr(std::string("READY https://127.0.0.1:").size()));
            return;
        }
    }
    process_->stop(SIGKILL, std::chrono::seconds(5));
    process_.reset();
    throw std::runtime_error("the test Kubernetes API server did not start:\n" + log());
}

void KubeApiServer::stop() {
    if (!process_) return;
    process_->stop(SIGTERM, std::chrono::seconds(30));
    process_.reset();
}

std::string KubeApiServer::pki_dir() const { return dir_.file("pki"); }
std::string KubeApiServer::ca_pem() const { return read_file(dir_.path() / "pki" / "ca.crt"); }
std::string KubeApiServer::client_cert_pem() const { return read_file(dir_.path() / "pki" / "client.crt"); }
std::string KubeApiServer::client_key_pem() const { return read_file(dir_.path() / "pki" / "client.key"); }
std::string KubeApiServer::kubeconfig_path() const { return dir_.file("pki/kubeconfig"); }
std::string KubeApiServer::token_kubeconfig_path() const { return dir_.file("pki/kubeconfig-token"); }

std::string KubeApiServer::log() const {
    try {
        return read_file(dir_.file("server.log"));
    } catch (const std::exception&) {
        return {};
    }
}

CliResult KubeApiServer::kubectl(const std::string& version, const std::vector<std::string>& args,
                                 const std::string& input, const std::map<std::string, std::string>& env,
                                 std::chrono::milliseconds timeout) const {
    std::vector<std::string> argv{kubectl_binary(version)};
    argv.insert(argv.end(), args.begin(), args.end());
    auto full_env = env;
    full_env.emplace("KUBECONFIG", kubeconfig_path());
    // Discovery and OpenAPI caches of one test must not answer for another server.
    full_env.emplace("KUBECACHEDIR", dir_.file("kube-cache"));
    // 1.29 speaks WebSocket for exec/attach only when asked (1.30+ by
    // default); this server refuses SPDY.
    if (version == "1.29") full_env.emplace("KUBECTL_REMOTE_COMMAND_WEBSOCKETS", "true");
    const auto r = run(argv, input, full_env, timeout);
    return {r.exit_code, r.out, r.err};
}

std::string KubeApiServer::pods_json(const std::string& namespace_name, const std::string& label_selector) const {
    std::string path = namespace_name.empty() ? "/api/v1/pods" : "/api/v1/namespaces/" + namespace_name + "/pods";
    if (!label_selector.empty()) path += "?labelSelector=" + url_encode(label_selector);
    const auto r = run({"curl", "-sS", "--fail-with-body", "--cacert", dir_.file("pki/ca.crt"), "--cert",
                        dir_.file("pki/client.crt"), "--key", dir_.file("pki/client.key"), url() + path});
    if (r.exit_code != 0) throw std::runtime_error("listing pods failed: " + r.err + r.out);
    return r.out;
}

std::vector<std::string> KubeApiServer::containers() const {
    return docker::containers_labelled(std::string(kLabel) + "=" + instance_, docker_host_);
}

}  // namespace csh::test::kube
