#include "backend_under_test.hpp"

#include "harness/docker.hpp"
#include "harness/gateway.hpp"
#include "harness/kube_api.hpp"

#include <simdjson.h>

#include <memory>
#include <sstream>

#include <optional>
#include <stdexcept>
#include <string_view>

namespace csh::conformance {

namespace {

constexpr char kUsage[] =
    "usage: conformance_backend [boost test options] -- --backend=local|docker-connection|docker-session|\n"
    "       kubernetes-connection|kubernetes-session|kubernetes-persistent\n"
    "       conformance_backend [boost test options] -- --backend=custom --config=FILE --plugin-dir=DIR... "
    "[--no-forwarding]";

std::optional<std::string> option(std::string_view arg, std::string_view name) {
    if (arg.rfind(name, 0) != 0 || arg.size() <= name.size() || arg[name.size()] != '=') return std::nullopt;
    return std::string(arg.substr(name.size() + 1));
}

BackendUnderTest local_backend() {
    BackendUnderTest b;
    b.name = "local";
    b.config = "backend: local\nlocal:\n  shell: [/bin/sh]\n";
    b.left_behind = [](const std::string&, const std::string& marker) -> std::vector<std::string> {
        if (marker.empty()) return {};
        const auto r = test::run({"pgrep", "-f", marker});
        if (r.exit_code != 0) return {};
        return {r.out};
    };
    return b;
}

BackendUnderTest docker_backend(const std::string& mode) {
    BackendUnderTest b;
    b.name = "docker-" + mode;
    b.config = test::docker::backend_config(mode, "");
    // Every container the backend makes carries the user's name; whatever
    // ran for the user ran in one of them.
    b.left_behind = [](const std::string& user, const std::string&) {
        return test::docker::containers_labelled("containerssh_username=" + user);
    };
    b.signal_code = mode == "connection" ? "DOCKER_EXEC_SIGNAL" : "DOCKER_CONTAINER_SIGNAL";
    // Session mode has no container between sessions to forward into.
    b.forwards = mode == "connection";
    b.listens = b.forwards;
    return b;
}

// `text` as a YAML literal block, each line indented by `indent` spaces.
std::string yaml_block(const std::string& text, int indent) {
    std::string out = "|\n";
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) out += std::string(static_cast<size_t>(indent), ' ') + line + "\n";
    return out;
}

// The test Kubernetes API server the run talks to: started once, for the
// whole run, and stopped (with every pod container) when the run ends.
test::kube::KubeApiServer& kube_api() {
    static std::unique_ptr<test::kube::KubeApiServer> server = std::make_unique<test::kube::KubeApiServer>();
    return *server;
}

// Persistent mode: the one pod every connection of the run execs into,
// created by the first (createMissingPods) and never deleted by the gateway.
constexpr const char* kPersistentPod = "conformance-persistent";

// Every pod the backend makes carries the user's name.
std::vector<std::string> kubernetes_pods_of(const std::string& user, const std::string&) {
    std::vector<std::string> pods;
    const std::string json = kube_api().pods_json("default", "containerssh_username=" + user);
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    simdjson::dom::array items;
    if (parser.parse(json).get(root) != simdjson::SUCCESS || root["items"].get_array().get(items) != simdjson::SUCCESS) {
        return {"cannot read the pods: " + json};
    }
    for (simdjson::dom::element item : items) {
        std::string_view name;
        if (item["metadata"]["name"].get_string().get(name) == simdjson::SUCCESS) pods.emplace_back(name);
    }
    return pods;
}

BackendUnderTest kubernetes_backend(const std::string& mode) {
    test::kube::KubeApiServer& api = kube_api();
    BackendUnderTest b;
    b.name = "kubernetes-" + mode;
    b.config = "backend: kubernetes\n"
               "kubernetes:\n"
               "  connection:\n"
               "    host: " + api.url() + "\n"
               "    cacert: " + yaml_block(api.ca_pem(), 6) +
               "    cert: " + yaml_block(api.client_cert_pem(), 6) +
               "    key: " + yaml_block(api.client_key_pem(), 6) +
               "  pod:\n"
               "    mode: " + mode + "\n" +
               (mode == "persistent" ? "    createMissingPods: true\n"
                                       "    metadata:\n"
                                       "      namespace: default\n"
                                       "      name: " + std::string(kPersistentPod) + "\n"
                                     : "") +
               "    spec:\n"
               "      containers:\n"
               "        - name: shell\n"
               "          image: " + test::docker::guest_image() + "\n"
               "          imagePullPolicy: Never\n"
               "  timeouts:\n"
               "    podStop: 5s\n";
    if (mode == "persistent") {
        // The pod stays by design (it is the user's); what ran in it for the
        // client must not.
        b.left_behind = [](const std::string&, const std::string& marker) -> std::vector<std::string> {
            if (marker.empty()) return {};
            // The image's busybox has no pgrep. The marker goes in two
            // halves so that this probe's own command line does not match.
            const size_t half = marker.size() / 2;
            const auto r = kube_api().kubectl(
                "1.33", {"exec", kPersistentPod, "--", "sh", "-c", "ps | grep -F \"$0$1\" | grep -v -F grep",
                         marker.substr(0, half), marker.substr(half)});
            if (r.exit_code != 0) return {};
            return {r.out};
        };
    } else {
        b.left_behind = kubernetes_pods_of;
    }
    b.signal_code = mode == "session" ? "KUBERNETES_POD_SIGNAL" : "KUBERNETES_EXEC_SIGNAL";
    // The guest agent forwards from inside the connection's pod; session
    // mode has no pod between sessions and refuses.
    b.forwards = mode != "session";
    b.listens = b.forwards;
    return b;
}

BackendUnderTest custom_backend(const std::string& config_file, const std::vector<std::string>& plugin_dirs,
                                bool forwards) {
    if (config_file.empty()) throw std::invalid_argument(std::string("--backend=custom needs --config\n") + kUsage);
    BackendUnderTest b;
    b.name = "custom (" + config_file + ")";
    b.config = test::read_file(config_file);
    if (!b.config.empty() && b.config.back() != '\n') b.config += "\n";
    for (const auto& dir : plugin_dirs) test::add_plugin_dir(dir);
    b.left_behind = [](const std::string&, const std::string&) { return std::vector<std::string>{}; };
    b.sees_what_it_runs = false;
    b.forwards = forwards;
    return b;
}

BackendUnderTest& chosen() {
    static BackendUnderTest backend;
    return backend;
}

}  // namespace

BackendUnderTest choose_backend(int argc, char** argv) {
    std::string name;
    std::string config_file;
    std::vector<std::string> plugin_dirs;
    bool forwards = true;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg(argv[i]);
        if (auto v = option(arg, "--backend")) {
            name = *v;
        } else if (auto v = option(arg, "--config")) {
            config_file = *v;
        } else if (auto v = option(arg, "--plugin-dir")) {
            plugin_dirs.push_back(*v);
        } else if (arg == "--no-forwarding") {
            forwards = false;
        }
    }
    if (name == "local") return local_backend();
    if (name == "docker-connection") return docker_backend("connection");
    if (name == "docker-session") return docker_backend("session");
    if (name == "kubernetes-connection") return kubernetes_backend("connection");
    if (name == "kubernetes-session") return kubernetes_backend("session");
    if (name == "kubernetes-persistent") return kubernetes_backend("persistent");
    if (name == "custom") return custom_backend(config_file, plugin_dirs, forwards);
    throw std::invalid_argument((name.empty() ? std::string("no backend named\n") : "unknown backend " + name + "\n") +
                                kUsage);
}

const BackendUnderTest& backend_under_test() { return chosen(); }
void set_backend_under_test(BackendUnderTest backend) { chosen() = std::move(backend); }

}  // namespace csh::conformance
