// containerssh-conformance as a third party runs it: installed with the
// runtime and dev components, the tree moved elsewhere, then the suite run
// against a plugin file. It must give the build tree's verdicts: every case
// of backend-local passes, a backend that breaks a case fails with that case
// named, and a .so that does not load fails at once with the gateway's code.
#define BOOST_TEST_MODULE integration_conformance_installed
#include <boost/test/unit_test.hpp>

#include "file_contents.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

#include <filesystem>
#include <memory>
#include <regex>
#include <sstream>

using namespace csh::test;

namespace {

// The installed tree, moved away from where it was installed: nothing in it
// may lean on its install prefix or on the build tree. Installed once for
// the whole module.
class MovedTree {
public:
    MovedTree() {
        const auto installed = dir_.path() / "installed";
        for (const char* component : {"runtime", "dev"}) {
            const auto r = run({"cmake", "--install", CSH_BUILD_DIR, "--prefix", installed.string(), "--component",
                                component},
                               "", {}, std::chrono::seconds(300));
            if (r.exit_code != 0) throw std::runtime_error(std::string("cmake --install ") + component + ": " + r.err);
        }
        root_ = dir_.path() / "moved";
        std::filesystem::rename(installed, root_);
    }
    const std::filesystem::path& root() const { return root_; }
    std::string program() const { return (root_ / "bin/containerssh-conformance").string(); }
    // A configuration file holding `yaml`.
    std::string config(const std::string& name, const std::string& yaml) const {
        const auto file = dir_.path() / name;
        write_file(file, yaml);
        return file.string();
    }

private:
    TempDir dir_;
    std::filesystem::path root_;
};

const MovedTree& tree() {
    static const auto moved = std::make_unique<MovedTree>();
    return *moved;
}

const std::string kLocalBackend = std::string(CSH_TEST_PLUGIN_DIR) + "/backend-local.so";

std::string describe(const RunResult& r) {
    return "exit " + std::to_string(r.exit_code) + (r.timed_out ? " (timed out)" : "") + "\n--- stdout ---\n" + r.out +
           "--- stderr ---\n" + r.err;
}

// How many test cases the suite has, from its own listing.
int case_count(const std::string& config) {
    const auto r = run({tree().program(), "backend", kLocalBackend, "--config", config, "--list_content"});
    int cases = 0;
    std::istringstream lines(r.out + r.err);
    std::string line;
    // Cases are listed indented under their suite, each with a '*' (enabled).
    while (std::getline(lines, line)) cases += line.rfind("    ", 0) == 0 && line.back() == '*' ? 1 : 0;
    return cases;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_tree_holds_the_program_its_auth_plugin_and_clients) {
    const auto& root = tree().root();
    BOOST_TEST(std::filesystem::exists(root / "bin/containerssh"));
    BOOST_TEST(std::filesystem::exists(root / "bin/containerssh-conformance"));
    BOOST_TEST(std::filesystem::exists(root / "lib/containerssh/conformance/plugins/auth-static.so"));
    for (const char* client : {"pty_resize.py", "send_signal.py", "window_change.py"}) {
        BOOST_TEST(std::filesystem::exists(root / "share/containerssh/conformance/clients" / client), client);
    }
    // Not where the installed gateway loads plugins by default: it must never
    // offer static passwords to a configuration that did not ask.
    BOOST_TEST(!std::filesystem::exists(root / "lib/containerssh/plugins/auth-static.so"));
}

BOOST_AUTO_TEST_CASE(no_or_wrong_arguments_print_the_usage_and_exit_2) {
    const std::string config = tree().config("usage.yaml", "backend: local\n");
    const std::vector<std::vector<std::string>> wrong{
        {}, {"auth", kLocalBackend, "--config", config}, {"backend"}, {"backend", kLocalBackend},
        {"backend", "/nonexistent/plugin.so", "--config", config}};
    for (const auto& args : wrong) {
        std::vector<std::string> argv{tree().program()};
        argv.insert(argv.end(), args.begin(), args.end());
        const auto r = run(argv);
        BOOST_TEST_CONTEXT(args.size() << " arguments: " << describe(r)) {
            BOOST_TEST(r.exit_code == 2);
            BOOST_TEST(r.err.find("usage: containerssh-conformance backend PLUGIN.so --config FILE") != std::string::npos);
            BOOST_TEST(r.err.find("have no suite yet") != std::string::npos);
        }
    }
}

BOOST_AUTO_TEST_CASE(backend_local_passes_every_case) {
    const std::string config = tree().config("local.yaml", "backend: local\nlocal:\n  shell: [/bin/sh]\n");
    const int cases = case_count(config);
    BOOST_TEST_REQUIRE(cases >= 15, "cases listed: " << cases);
    const auto r = run({tree().program(), "backend", kLocalBackend, "--config", config}, "", {},
                       std::chrono::seconds(900));
    BOOST_TEST_CONTEXT(describe(r)) {
        BOOST_TEST(r.exit_code == 0);
        const std::string passed = std::to_string(cases) + " test cases out of " + std::to_string(cases) + " passed";
        // Boost.Test's report, on stderr.
        BOOST_TEST(r.err.find(passed) != std::string::npos, "no \"" << passed << "\"");
    }
}

BOOST_AUTO_TEST_CASE(a_backend_that_breaks_a_case_fails_with_the_case_named) {
    // A shell that exits at once: an interactive shell can no longer run
    // typed commands, while a command under a terminal (`sh -c`) still runs.
    const std::string config = tree().config("broken-shell.yaml", "backend: local\nlocal:\n  shell: [/bin/false]\n");
    const auto r = run({tree().program(), "backend", kLocalBackend, "--config", config,
                        "--run_test=pty/an_interactive_shell_runs_under_a_terminal,term_from_pty_req_is_in_the_environment",
                        "--color_output=no"},
                       "", {}, std::chrono::seconds(600));
    BOOST_TEST_CONTEXT(describe(r)) {
        BOOST_TEST(r.exit_code != 0);
        BOOST_TEST(!r.timed_out);
        BOOST_TEST(r.out.find("error: in \"pty/an_interactive_shell_runs_under_a_terminal\"") != std::string::npos);
        // The report counts the cases left out too: one passed, one failed.
        BOOST_TEST(std::regex_search(r.err, std::regex("\\b1 test case out of [0-9]+ passed")));
        BOOST_TEST(std::regex_search(r.err, std::regex("\\b1 test case out of [0-9]+ failed")));
    }
}

BOOST_AUTO_TEST_CASE(a_plugin_that_does_not_load_fails_at_once_with_the_gateways_code) {
    const std::string config = tree().config("broken.yaml", "backend: broken\n");
    TempDir dir;
    write_file(dir.path() / "broken.so", "not a shared object\n");
    const auto r = run({tree().program(), "backend", (dir.path() / "broken.so").string(), "--config", config}, "", {},
                       std::chrono::seconds(60));
    BOOST_TEST_CONTEXT(describe(r)) {
        BOOST_TEST(r.exit_code != 0);
        BOOST_TEST(!r.timed_out);
        const std::string all = r.out + r.err;
        BOOST_TEST(all.find("the gateway does not start with the backend under test") != std::string::npos);
        BOOST_TEST(std::regex_search(all, std::regex("CORE_PLUGIN_OPEN_FAILED: plugin file .*broken\\.so: cannot be loaded")));
        // No case ran against a gateway that never started.
        BOOST_TEST(all.find("Entering test case") == std::string::npos);
    }
}
