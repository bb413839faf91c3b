// The command line and start-up: codes listed, configuration errors named,
// host keys generated and persisted.
#define BOOST_TEST_MODULE integration_cli
#include <boost/test/unit_test.hpp>

#include "harness/configs.hpp"
#include "harness/gateway.hpp"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

using namespace csh::test;

namespace {

// Writes `yaml` as config.yaml in `dir` and starts the gateway on it.
RunResult start_with(const TempDir& dir, const std::string& yaml, std::vector<std::string> extra = {}) {
    std::ofstream(dir.path() / "config.yaml") << yaml;
    std::vector<std::string> args{"--config", (dir.path() / "config.yaml").string(), "--plugin-dir", test_plugin_dir()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_gateway(args, std::chrono::seconds(20));
}

std::set<std::string> seed_codes(const std::regex& prefix) {
    std::set<std::string> codes;
    for (const auto& entry : std::filesystem::directory_iterator(CSH_SEEDS_DIR)) {
        std::ifstream in(entry.path());
        std::string line;
        const std::regex row("^\\| `([A-Z0-9_]+)`");
        while (std::getline(in, line)) {
            std::smatch m;
            if (std::regex_search(line, m, row) && std::regex_search(m[1].str(), prefix)) codes.insert(m[1]);
        }
    }
    return codes;
}

}  // namespace

BOOST_AUTO_TEST_CASE(list_codes_has_every_core_code_of_the_seeds) {
    const auto r = run_gateway({"--list-codes", "--plugin-dir", test_plugin_dir()});
    BOOST_TEST(r.exit_code == 0);
    const auto expected = seed_codes(std::regex("^(CORE_|SSH_|SERVICE_|LOG_|SECURITY_|TEST$|UNKNOWN_ERROR$)"));
    BOOST_TEST(expected.size() >= 40u);
    for (const auto& code : expected) {
        BOOST_TEST_INFO("code " << code);
        BOOST_TEST(r.out.find("| `" + code + "` |") != std::string::npos);
    }
    BOOST_TEST(r.out.rfind("| Code | Level | Module | Explanation |", 0) == 0);
}

BOOST_AUTO_TEST_CASE(list_codes_has_every_webhook_code_of_the_seeds_registered_by_its_plugin) {
    // No --plugin-dir: the binary finds the plugins shipped beside it.
    const auto r = run_gateway({"--list-codes"});
    BOOST_TEST(r.exit_code == 0);
    const auto expected = seed_codes(std::regex("^(AUTH$|AUTH_|CONFIG_(BACKEND|INVALID|REQUEST|RESPONSE)|HTTP_CLIENT_)"));
    BOOST_TEST(expected.size() >= 17u);
    for (const auto& code : expected) {
        BOOST_TEST_INFO("code " << code);
        const std::regex row("\\| `" + code + "` \\| [a-z]+ \\| ([^|]+) \\|");
        std::smatch m;
        BOOST_TEST_REQUIRE(std::regex_search(r.out, m, row));
        const std::string module = m[1];
        if (code.rfind("HTTP_CLIENT_", 0) == 0) {
            // The shared HTTP client's codes: the S3 uploads of the audit plugin log them too.
            BOOST_TEST(module == "io.containerssh.audit.s3, io.containerssh.auth.http, io.containerssh.config.http");
        } else if (code.rfind("AUTH", 0) == 0) {
            BOOST_TEST(module == "io.containerssh.auth.http");
        } else {
            BOOST_TEST(module == "io.containerssh.config.http");
        }
    }
}

BOOST_AUTO_TEST_CASE(list_codes_has_every_kubernetes_code_of_the_seeds_registered_by_its_plugin) {
    const auto r = run_gateway({"--list-codes"});
    BOOST_TEST(r.exit_code == 0);
    const auto expected = seed_codes(std::regex("^(KUBERNETES_|KUBERUN_)"));
    BOOST_TEST(expected.size() >= 45u);
    for (const auto& code : expected) {
        BOOST_TEST_INFO("code " << code);
        const std::regex row("\\| `" + code + "` \\| [a-z]+ \\| ([^|]+) \\|");
        std::smatch m;
        BOOST_TEST_REQUIRE(std::regex_search(r.out, m, row));
        BOOST_TEST(m[1].str() == "io.containerssh.backend.kubernetes");
    }
}

BOOST_AUTO_TEST_CASE(list_codes_has_every_audit_code_of_the_seeds_registered_by_its_plugin) {
    const auto r = run_gateway({"--list-codes"});
    BOOST_TEST(r.exit_code == 0);
    const auto expected = seed_codes(std::regex("^AUDIT_"));
    BOOST_TEST(expected.size() >= 24u);
    for (const auto& code : expected) {
        BOOST_TEST_INFO("code " << code);
        const std::regex row("\\| `" + code + "` \\| [a-z]+ \\| ([^|]+) \\|");
        std::smatch m;
        BOOST_TEST_REQUIRE(std::regex_search(r.out, m, row));
        BOOST_TEST(m[1].str() == "io.containerssh.audit.s3");
    }
}

BOOST_AUTO_TEST_CASE(a_plugin_directory_named_twice_is_searched_once) {
    const auto r = run_gateway({"--list-plugins", "--plugin-dir", shipped_plugin_dir(), "--plugin-dir",
                                shipped_plugin_dir() + "/."});
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.out.find("auth/webhook") != std::string::npos);
    BOOST_TEST(r.err.find("CORE_PLUGIN_DUPLICATE_ID") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(list_plugins_shows_the_test_plugins) {
    const auto r = run_gateway({"--list-plugins", "--plugin-dir", test_plugin_dir()});
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.out.find("backend/local") != std::string::npos);
    BOOST_TEST(r.out.find("auth/static") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_descriptor_limit_is_raised_to_the_hard_limit_and_logged) {
    // Two descriptors per connection: the soft limit must not be what stops the gateway.
    Gateway gateway(static_auth_local_backend({"alice", "pw", ""}));
    const auto line = gateway.wait_for("CORE_DESCRIPTOR_LIMIT");
    BOOST_TEST_REQUIRE(!line.empty());
    std::ifstream limits("/proc/" + std::to_string(gateway.pid()) + "/limits");
    std::string row, soft, hard;
    while (std::getline(limits, row)) {
        if (row.rfind("Max open files", 0) != 0) continue;
        std::istringstream fields(row.substr(std::string("Max open files").size()));
        fields >> soft >> hard;
    }
    BOOST_TEST_REQUIRE(!soft.empty());
    BOOST_TEST(soft == hard);
    BOOST_TEST(json_field(line, "limit") == soft);
    BOOST_TEST(json_field(line, "connections") == std::to_string((std::stoull(soft) - 256) / 2));
}

BOOST_AUTO_TEST_CASE(version_and_help) {
    BOOST_TEST(run_gateway({"--version"}).out.rfind("containerssh ", 0) == 0);
    const auto help = run_gateway({"--help"});
    BOOST_TEST(help.exit_code == 0);
    for (const char* flag : {"--config", "--dump-config", "--list-codes", "--list-plugins", "--plugin-dir"}) {
        BOOST_TEST(help.out.find(flag) != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(unknown_key_stops_the_start_naming_key_and_line) {
    TempDir dir;
    const auto r = start_with(dir, "ssh:\n  listen: 127.0.0.1:0\n  lsiten: 127.0.0.1:0\n");
    BOOST_TEST(r.exit_code != 0);
    BOOST_TEST(r.out.find("CORE_CONFIG_ERROR") != std::string::npos);
    BOOST_TEST(r.out.find("ssh.lsiten") != std::string::npos);
    BOOST_TEST(r.out.find(":3") != std::string::npos);  // the line of the bad key
}

BOOST_AUTO_TEST_CASE(bad_listen_address_stops_the_start) {
    TempDir dir;
    const auto r = start_with(dir, "ssh:\n  listen: 127.0.0.1:99999\n");
    BOOST_TEST(r.exit_code != 0);
    BOOST_TEST(r.out.find("CORE_CONFIG_ERROR") != std::string::npos);
    BOOST_TEST(r.out.find("ssh.listen") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unreadable_host_key_stops_the_start) {
    TempDir dir;
    const auto r = start_with(dir, "ssh:\n  listen: 127.0.0.1:0\n  hostkeys:\n    - " +
                                       (dir.path() / "missing_key").string() + "\n" +
                                       static_auth_local_backend({"a", "b", ""}));
    BOOST_TEST(r.exit_code != 0);
    BOOST_TEST(r.out.find("CORE_CONFIG_ERROR") != std::string::npos);
    BOOST_TEST(r.out.find("ssh.hostkeys[0]") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(missing_backend_plugin_is_named) {
    // sshproxy: a ContainerSSH backend no plugin of this build provides.
    TempDir dir;
    const auto r = start_with(dir, "ssh:\n  listen: 127.0.0.1:0\nbackend: sshproxy\n" +
                                       std::string("auth:\n  password:\n    method: static\n    static:\n      users: {}\n"));
    BOOST_TEST(r.exit_code != 0);
    BOOST_TEST(r.out.find("CORE_PLUGIN_NOT_FOUND") != std::string::npos);
    BOOST_TEST(r.out.find("backend/sshproxy") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(kuberun_runs_on_the_kubernetes_plugin_which_refuses_insecure) {
    // backend: kuberun selects the plugin providing backend/kubernetes, which
    // maps the kuberun section and refuses to skip certificate verification.
    TempDir dir;
    const auto r = start_with(dir, "ssh:\n  listen: 127.0.0.1:0\nbackend: kuberun\n"
                                   "kuberun:\n  connection:\n    insecure: true\n    bearerToken: not-for-logs\n" +
                                       std::string("auth:\n  password:\n    method: static\n    static:\n      users: {}\n"));
    BOOST_TEST(r.exit_code != 0);
    BOOST_TEST(r.out.find("KUBERUN_INSECURE") != std::string::npos);
    BOOST_TEST(r.out.find("kuberun.connection.insecure") != std::string::npos);
    BOOST_TEST(r.out.find("not-for-logs") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(dump_config_fills_defaults_and_redacts_secrets) {
    TempDir dir;
    std::ofstream(dir.path() / "config.yaml") << static_auth_local_backend({"alice", "s3cret-pass", ""});
    const auto r = run_gateway({"--config", (dir.path() / "config.yaml").string(), "--dump-config"});
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.out.find("serverVersion: SSH-2.0-ContainerSSH") != std::string::npos);
    BOOST_TEST(r.out.find("s3cret-pass") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(host_key_is_generated_saved_and_reused) {
    Gateway first(static_auth_local_backend({"alice", "pw", ""}), /*generate_host_key=*/false);
    BOOST_TEST(!first.wait_for("CORE_NO_HOST_KEYS").empty());
    const auto key = first.dir() / "ssh_host_ed25519_key";
    BOOST_TEST(std::filesystem::exists(key));
    const auto config = read_file(first.dir() / "config.yaml");
    BOOST_TEST(config.find(key.string()) != std::string::npos);
    // The rewritten file still loads, and the key is what the server presents.
    const auto scan = run({"ssh-keyscan", "-t", "ed25519", "-p", std::to_string(first.port()), "127.0.0.1"});
    const auto generated = run({"ssh-keygen", "-y", "-f", key.string()});
    BOOST_TEST(generated.exit_code == 0);
    const auto blob = generated.out.substr(generated.out.find(' ') + 1, 68);
    BOOST_TEST(scan.out.find(blob) != std::string::npos);

    // A restart on the rewritten file generates nothing and serves the same key.
    BOOST_TEST(first.stop(SIGTERM) == 0);
    Gateway second(Gateway::ExistingConfig{first.dir() / "config.yaml"});
    BOOST_TEST(second.count("CORE_NO_HOST_KEYS") == 0u);
    const auto rescan = run({"ssh-keyscan", "-t", "ed25519", "-p", std::to_string(second.port()), "127.0.0.1"});
    BOOST_TEST(rescan.out.find(blob) != std::string::npos);
    BOOST_TEST(read_file(first.dir() / "config.yaml") == config);
}

// ContainerSSH refuses ECDSA host keys; here every common type is served.
BOOST_AUTO_TEST_CASE(rsa_ecdsa_and_ed25519_host_keys_are_served) {
    TempDir keys;
    struct Key {
        const char* type;      // ssh-keygen -t
        const char* scan;      // ssh-keyscan -t
    };
    const std::vector<Key> types{{"rsa", "rsa"}, {"ecdsa", "ecdsa"}, {"ed25519", "ed25519"}};
    std::vector<std::string> settings{"hostkeys:"};
    for (const auto& k : types) {
        const auto file = keys.path() / k.type;
        BOOST_REQUIRE(run({"ssh-keygen", "-q", "-t", k.type, "-N", "", "-f", file.string()}).exit_code == 0);
        settings.push_back("  - " + file.string());
    }
    Gateway gateway(static_auth_local_backend({"alice", "pw", ""}), false, settings);
    for (const auto& k : types) {
        const auto scan = run({"ssh-keyscan", "-t", k.scan, "-p", std::to_string(gateway.port()), "127.0.0.1"});
        const auto pub = run({"ssh-keygen", "-y", "-f", (keys.path() / k.type).string()}).out;
        const auto blob = pub.substr(pub.find(' ') + 1, pub.find_first_of(" \n", pub.find(' ') + 1) - pub.find(' ') - 1);
        BOOST_TEST_INFO(k.type << ": " << scan.out);
        BOOST_TEST(scan.out.find(blob) != std::string::npos);
    }
    BOOST_TEST(gateway.count("CORE_NO_HOST_KEYS") == 0u);
}

BOOST_AUTO_TEST_CASE(sigterm_stops_gracefully_with_service_codes) {
    Gateway gateway(static_auth_local_backend({"alice", "pw", ""}));
    BOOST_TEST(!gateway.wait_for("SERVICE_POOL_RUNNING").empty());
    BOOST_TEST(gateway.stop(SIGTERM) == 0);
    for (const char* code : {"SERVICE_POOL_STOPPING", "SERVICE_STOPPING", "SERVICE_STOPPED", "SERVICE_POOL_STOPPED"}) {
        BOOST_TEST_INFO(code);
        BOOST_TEST(gateway.count(code) >= 1u);
    }
}
