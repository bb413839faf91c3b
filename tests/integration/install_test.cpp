// The installed product, used the way an operator and a third-party plugin
// author use it: `cmake --install` into a prefix that is then moved; the
// examples of examples/third-party-plugin (C++, the SDK) and
// examples/third-party-plugin-c (plain C11) built out of tree against the
// installed CMake package and pkg-config file only; their .so files dropped
// into a plugin directory of the installed gateway, named in its
// configuration, and logged in through with the real OpenSSH client; and the
// installed conformance suite run against the third party's backend.
#define BOOST_TEST_MODULE integration_install
#include <boost/test/unit_test.hpp>

#include "harness/gateway.hpp"

#include <csignal>
#include <fstream>
#include <iterator>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>

using namespace csh::test;
namespace fs = std::filesystem;

namespace {

constexpr auto kBuildTimeout = std::chrono::minutes(10);

std::string bytes_of(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Every regular file under `root`, as paths relative to it.
std::set<std::string> files_under(const fs::path& root) {
    std::set<std::string> out;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (entry.is_regular_file()) out.insert(fs::relative(entry.path(), root).string());
    }
    return out;
}

// One install for the whole suite (the slow part): the build tree installed,
// the prefix moved (nothing may point back at where it was installed), and
// the two examples built against the moved prefix.
struct InstalledTree {
    TempDir dir;
    fs::path prefix = dir.path() / "opt";
    fs::path cxx_build = dir.path() / "build-backend-local";
    fs::path c_build = dir.path() / "build-activity-log";
    fs::path pkg_config_plugin = dir.path() / "pkg-config" / "activity-log.so";

    InstalledTree() {
        const auto staged = dir.path() / "staged";
        must_run({"cmake", "--install", CSH_BUILD_DIR, "--prefix", staged.string()});
        fs::rename(staged, prefix);
        build_example("third-party-plugin", cxx_build);
        build_example("third-party-plugin-c", c_build);
        build_with_pkg_config();
        // The harness's Gateway runs the installed binary from now on.
        use_locations({bin("containerssh"), {}, prefix / "lib/containerssh/plugins", {}});
    }

    fs::path bin(const std::string& name) const { return prefix / "bin" / name; }

    static RunResult must_run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {}) {
        auto r = run(argv, "", env, kBuildTimeout);
        if (r.exit_code != 0) {
            std::string line;
            for (const auto& word : argv) line += word + " ";
            throw std::runtime_error(line + "failed (" + std::to_string(r.exit_code) + "):\n" + r.out + r.err);
        }
        return r;
    }

    // A stranger's build: the example's own CMakeLists.txt, the installed
    // package found through CMAKE_PREFIX_PATH. ccache only makes reruns quick.
    void build_example(const std::string& example, const fs::path& build) const {
        must_run({"cmake", "-S", std::string(CSH_SOURCE_DIR) + "/examples/" + example, "-B", build.string(), "-G",
                  "Ninja", "-DCMAKE_PREFIX_PATH=" + prefix.string(), "-DCMAKE_C_COMPILER_LAUNCHER=ccache",
                  "-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"});
        must_run({"cmake", "--build", build.string()});
    }

    // The C plugin once more without CMake: cc with pkg-config's flags only.
    void build_with_pkg_config() const {
        fs::create_directories(pkg_config_plugin.parent_path());
        must_run({"sh", "-c",
                  "cc -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags containerssh-plugin) \"$0\" -o \"$1\" "
                  "$(pkg-config --libs containerssh-plugin)",
                  std::string(CSH_SOURCE_DIR) + "/examples/third-party-plugin-c/activity_log.c",
                  pkg_config_plugin.string()},
                 {{"PKG_CONFIG_PATH", (prefix / "share/pkgconfig").string()}});
    }
};

const InstalledTree& installed() {
    static const auto tree = std::make_unique<InstalledTree>();
    return *tree;
}

// What `nm -D --defined-only` lists: the symbols a .so exports.
std::vector<std::string> exported_symbols(const fs::path& so) {
    const auto r = InstalledTree::must_run({"nm", "-D", "--defined-only", so.string()});
    std::vector<std::string> out;
    std::istringstream lines(r.out);
    std::string address, kind, name;
    while (lines >> address >> kind >> name) out.push_back(name);
    return out;
}

// The installed example auth and configuration server, serving one user.
struct InstalledExampleServer {
    TempDir dir;
    std::unique_ptr<Child> child;
    std::string url;

    InstalledExampleServer(const fs::path& binary, const std::string& user, const std::string& password) {
        const auto hash = InstalledTree::must_run({"sh", "-c", "printf '%s\\n' \"$0\" | openssl passwd -6 -stdin",
                                                   password});
        std::ofstream(dir.file("users.yaml"))
            << "users:\n  " << user << ":\n    password: \"" << hash.out.substr(0, hash.out.find('\n')) << "\"\n";
        child = std::make_unique<Child>(std::vector<std::string>{"setpriv", "--pdeathsig", "KILL", "--",
                                                                 binary.string(), "--users", dir.file("users.yaml"),
                                                                 "--listen", "127.0.0.1:0"});
        std::string line;
        while (child->read_line(line, std::chrono::seconds(20))) {
            if (line.find("\"CONFIG_SERVER_AVAILABLE\"") != std::string::npos) break;
        }
        url = "http://" + json_field(line, "address");
        if (url.size() <= 7) throw std::runtime_error("the installed example server did not start: " + line);
    }
    ~InstalledExampleServer() { child->stop(SIGTERM, std::chrono::seconds(10)); }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(install)

BOOST_AUTO_TEST_CASE(the_installed_abi_headers_are_the_source_trees_byte_for_byte) {
    const fs::path source = std::string(CSH_SOURCE_DIR) + "/plugin-api/include";
    const fs::path target = installed().prefix / "include";
    const auto source_files = files_under(source);
    BOOST_TEST_REQUIRE(source_files.count("containerssh/plugin.h") == 1u);
    BOOST_TEST(files_under(target) == source_files, boost::test_tools::per_element());
    for (const auto& file : source_files) {
        BOOST_TEST((bytes_of(source / file) == bytes_of(target / file)), file);
    }
}

BOOST_AUTO_TEST_CASE(the_moved_tree_finds_its_own_plugins) {
    const auto listed = InstalledTree::must_run({installed().bin("containerssh").string(), "--list-plugins"});
    BOOST_TEST(listed.err.find("CORE_PLUGIN") == std::string::npos, listed.err);
    const std::string shipped = (installed().prefix / "lib/containerssh/plugins").string();
    for (const char* provides : {"auth/webhook", "config/http", "backend/docker", "backend/kubernetes", "audit/s3",
                                 "metrics/prometheus"}) {
        std::istringstream rows(listed.out);
        std::string row;
        bool found = false;
        while (!found && std::getline(rows, row)) {
            found = row.find(provides) != std::string::npos && row.find(shipped + "/") != std::string::npos;
        }
        BOOST_TEST(found, provides << " from " << shipped << " in:\n" << listed.out);
    }
}

BOOST_AUTO_TEST_CASE(plugins_built_against_the_installed_tree_export_only_their_entry) {
    const std::vector<std::string> entry_only{"containerssh_plugin_entry"};
    for (const auto& so : {installed().cxx_build / "backend-local.so", installed().c_build / "activity-log.so",
                           installed().pkg_config_plugin}) {
        BOOST_TEST(exported_symbols(so) == entry_only, boost::test_tools::per_element());
    }
    // The pkg-config build is a plugin the installed gateway loads too.
    const auto listed = InstalledTree::must_run({installed().bin("containerssh").string(), "--list-plugins",
                                                 "--plugin-dir", installed().pkg_config_plugin.parent_path().string()});
    BOOST_TEST(listed.out.find("| org.example.audit.activity-log | 1.0.0 | audit/activity-log | " +
                               installed().pkg_config_plugin.string() + " |") != std::string::npos,
               listed.out);
}

// The operator's way: the .so files dropped into a directory the
// configuration names, selected by what they provide (backend: local,
// audit.storage: activity-log), users from the installed example server.
BOOST_AUTO_TEST_CASE(dropped_plugins_serve_a_login_through_the_installed_gateway) {
    InstalledExampleServer users(installed().bin("containerssh-auth-config-server"), "alice", "correct horse");
    TempDir dir;
    const auto drop = dir.path() / "plugins.d";
    fs::create_directories(drop);
    fs::copy_file(installed().cxx_build / "backend-local.so", drop / "backend-local.so");
    fs::copy_file(installed().c_build / "activity-log.so", drop / "activity-log.so");
    const auto config = dir.path() / "config.yaml";
    std::ofstream(config) << "ssh:\n  listen: 127.0.0.1:0\n  hostkeys:\n    - " << make_key(dir.path(), "host_key").string()
                          << "\nlog:\n  level: info\n"
                             "plugins:\n  path:\n    - " << drop.string() << "\n"
                             "auth:\n  password:\n    method: webhook\n    webhook:\n      url: " << users.url << "\n"
                             "backend: local\n"
                             "audit:\n  enable: true\n  storage: activity-log\n";

    Gateway gateway(Gateway::ExistingConfig{config});
    const SshLogin alice{"alice", "correct horse", {}};
    const auto r = ssh(gateway, alice, {}, {"echo hello from $(uname -s); exit 3"});
    BOOST_TEST(r.out == "hello from Linux\n");
    BOOST_TEST(r.exit_code == 3);
    BOOST_TEST(ssh(gateway, SshLogin{"alice", "wrong", {}}, {}, {"true"}).exit_code == 255);

    // The plain C audit plugin saw the login, the program and its status.
    const auto login = gateway.wait_for("ACTIVITY_LOG_LOGIN");
    BOOST_TEST(json_field(login, "method") == "password");
    BOOST_TEST(json_field(gateway.wait_for("ACTIVITY_LOG_PROGRAM"), "command") ==
               "echo hello from $(uname -s); exit 3");
    BOOST_TEST(json_field(gateway.wait_for("ACTIVITY_LOG_EXIT"), "exitStatus") == "3");
    BOOST_TEST(!gateway.wait_for("ACTIVITY_LOG_DISCONNECT").empty());
    BOOST_TEST(gateway.count("ACTIVITY_LOG_LOGIN") == 1u);  // the wrong password logged nobody in
}

// The third party's backend through the installed conformance suite, with
// the verdicts our own backends get.
BOOST_AUTO_TEST_CASE(the_installed_conformance_suite_passes_the_third_party_backend) {
    TempDir dir;
    std::ofstream(dir.file("local.yaml")) << "backend: local\n";
    const auto r = run({installed().bin("containerssh-conformance").string(), "backend",
                        (installed().cxx_build / "backend-local.so").string(), "--config", dir.file("local.yaml"),
                        "--report_level=short"},
                       "", {}, std::chrono::minutes(10));
    BOOST_TEST(r.exit_code == 0, r.out << r.err);
    std::smatch passed;
    const std::string report = r.out + r.err;
    BOOST_TEST_REQUIRE(std::regex_search(report, passed, std::regex("([0-9]+) test cases? out of \\1 passed")),
                       report);
    BOOST_TEST(std::stoi(passed[1]) >= 15);
}

BOOST_AUTO_TEST_SUITE_END()
