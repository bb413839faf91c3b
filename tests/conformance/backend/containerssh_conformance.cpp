// containerssh-conformance: the conformance suites as an installed program,
// so a third party runs against their own plugin the cases ours pass, with
// the same verdicts:
//
//   containerssh-conformance backend PLUGIN.so --config FILE [--no-forwarding] [Boost.Test options]
//
// It is the build tree's suite (conformance_test.cpp) with its custom backend
// (backend_under_test.cpp); only where the harness finds the gateway, the
// suite's auth plugin and the client scripts differs: beside this executable,
// in the tree it was installed with (the CSH_INSTALLED_* paths, relative to
// the bin directory so that the tree can move).
#include <boost/test/unit_test.hpp>

#include "harness/gateway.hpp"
#include "temp_dir.hpp"

#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

bool init_unit_test();  // conformance_test.cpp, from BOOST_TEST_MODULE

namespace {

constexpr int kUsageError = 2;

constexpr char kUsage[] =
    "usage: containerssh-conformance backend PLUGIN.so --config FILE [--no-forwarding] [Boost.Test options]\n"
    "\n"
    "Runs the conformance suite of a plugin kind against PLUGIN.so, through the containerssh\n"
    "gateway installed beside this program, and exits 0 when every case passed.\n"
    "\n"
    "  backend  FILE holds the backend's part of the gateway's configuration: `backend: NAME`\n"
    "           and the backend's section. --no-forwarding: the backend does not forward, and\n"
    "           the forwarding cases check that it refuses.\n"
    "\n"
    "Other kinds (auth, config, audit, metrics) have no suite yet.\n"
    "Boost.Test options choose cases (--run_test=exec) or the output (--log_level=all).\n";

int usage_error(const std::string& problem) {
    std::cerr << "containerssh-conformance: " << problem << "\n\n" << kUsage;
    return kUsageError;
}

bool given(const std::vector<std::string>& args, std::string_view long_name, std::string_view short_name) {
    for (const auto& a : args) {
        if (a.rfind(long_name, 0) == 0 || a == short_name) return true;
    }
    return false;
}

// The installed tree this executable belongs to, found from the bin
// directory it runs from.
csh::test::Locations installed_locations(const std::filesystem::path& bin) {
    return {bin / "containerssh", (bin / CSH_INSTALLED_TEST_PLUGIN_DIR).lexically_normal(),
            (bin / CSH_INSTALLED_PLUGIN_DIR).lexically_normal(), (bin / CSH_INSTALLED_CLIENTS_DIR).lexically_normal()};
}

}  // namespace

int main(int argc, char* argv[]) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) return usage_error("no plugin kind named");
    if (args[0] == "--help" || args[0] == "-h") {
        std::cout << kUsage;
        return 0;
    }
    if (args[0] != "backend") return usage_error("no conformance suite for '" + args[0] + "'");
    if (args.size() < 2 || args[1].rfind("-", 0) == 0) return usage_error("backend needs the plugin file");
    const std::filesystem::path plugin = std::filesystem::absolute(args[1]);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(plugin, ec)) return usage_error(args[1] + " is not a file");

    std::string config;
    bool forwards = true;
    std::vector<std::string> boost_args;
    for (size_t i = 2; i < args.size(); ++i) {
        if (args[i] == "--config") {
            if (i + 1 == args.size()) return usage_error("--config needs a file");
            config = args[++i];
        } else if (args[i].rfind("--config=", 0) == 0) {
            config = args[i].substr(9);
        } else if (args[i] == "--no-forwarding") {
            forwards = false;
        } else if (args[i] != "--") {
            boost_args.push_back(args[i]);
        }
    }
    if (config.empty()) return usage_error("backend needs --config FILE");
    if (!std::filesystem::is_regular_file(config, ec)) return usage_error(config + " is not a file");

    const auto executable = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) {
        std::cerr << "containerssh-conformance: cannot find its own executable (/proc/self/exe): " << ec.message()
                  << "\n";
        return 1;
    }
    csh::test::use_locations(installed_locations(executable.parent_path()));
    // plugins.path names directories and the gateway loads every .so in
    // them, so the plugin is linked into a directory of its own rather than
    // loaded with whatever lies beside it.
    csh::test::TempDir plugin_dir;
    auto link = plugin_dir.path() / plugin.filename();
    if (link.extension() != ".so") link += ".so";  // the gateway loads only *.so
    std::filesystem::create_symlink(plugin, link, ec);
    if (ec) {
        std::cerr << "containerssh-conformance: cannot link " << plugin << " into " << plugin_dir.path() << ": "
                  << ec.message() << "\n";
        return 1;
    }
    // The gateway's messages name the link.
    std::cerr << "plugin under test: " << plugin.string() << " (the gateway loads it as " << link.string() << ")\n";

    // Each case's name and verdict, and the count at the end, unless the
    // caller chose otherwise.
    std::vector<std::string> suite_args{argv[0]};
    if (!given(boost_args, "--log_level", "-l")) suite_args.emplace_back("--log_level=test_suite");
    if (!given(boost_args, "--report_level", "-r")) suite_args.emplace_back("--report_level=short");
    suite_args.insert(suite_args.end(), boost_args.begin(), boost_args.end());
    suite_args.insert(suite_args.end(), {"--", "--backend=custom", "--config=" + config,
                                         "--plugin-dir=" + plugin_dir.path().string()});
    if (!forwards) suite_args.emplace_back("--no-forwarding");
    std::vector<char*> suite_argv;
    for (auto& a : suite_args) suite_argv.push_back(a.data());
    suite_argv.push_back(nullptr);
    return boost::unit_test::unit_test_main(&init_unit_test, static_cast<int>(suite_args.size()), suite_argv.data());
}
