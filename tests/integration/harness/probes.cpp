#include "probes.hpp"

#include <boost/test/results_collector.hpp>
#include <boost/test/unit_test.hpp>
#include <boost/test/framework.hpp>
#include <boost/test/tree/test_unit.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <signal.h>
#include <sstream>
#include <thread>

namespace csh::test {

std::string random_hex(std::size_t length) {
    std::random_device device;
    std::mt19937_64 rng(device());
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < length; ++i) out += digits[rng() % 16];
    return out;
}

std::vector<int> audit_event_types(const std::string& recorder_lines) {
    std::vector<int> types;
    std::istringstream in(recorder_lines);
    std::string line;
    while (std::getline(in, line)) {
        const auto at = line.find("\"type\":");
        if (at != std::string::npos) types.push_back(std::stoi(line.substr(at + 7)));
    }
    return types;
}

std::string random_bytes(std::size_t size) {
    std::mt19937_64 rng(7);
    std::string bytes(size, '\0');
    for (auto& c : bytes) c = static_cast<char>(rng());
    return bytes;
}

bool eventually(const std::function<bool()>& check, std::chrono::seconds patience) {
    const auto deadline = std::chrono::steady_clock::now() + patience;
    while (std::chrono::steady_clock::now() < deadline) {
        if (check()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return check();
}

void check_rss_growth(long grown_kib, long bound_kib, const std::string& context) {
#if defined(__SANITIZE_ADDRESS__)
    BOOST_TEST_MESSAGE("RSS bound not checked under AddressSanitizer: grew by " << grown_kib << " KiB; " << context);
    (void)bound_kib;
#else
    BOOST_TEST_INFO(context);
    BOOST_TEST(grown_kib < bound_kib, "grew by " << grown_kib << " KiB, bound " << bound_kib << " KiB");
#endif
}

long rss_kib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string key;
    long value = 0;
    while (status >> key) {
        if (key == "VmRSS:") {
            status >> value;
            return value;
        }
        status.ignore(1 << 16, '\n');
    }
    return -1;
}

std::size_t open_fds(pid_t pid) {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) ++n;
    return n;
}

std::string describe(const RunResult& run) {
    std::ostringstream out;
    out << "exit " << run.exit_code << (run.timed_out ? " (timed out)" : "") << "\nstdout: " << run.out.substr(0, 2000)
        << "\nstderr: " << run.err.substr(0, 2000);
    return out.str();
}

bool current_test_failed() {
    using namespace boost::unit_test;
    return !results_collector.results(framework::current_test_case().p_id).passed();
}

namespace {
void ignore_broken_pipes(int) {}
}  // namespace

BrokenPipesDoNotKill::BrokenPipesDoNotKill() {
    struct sigaction action {};
    action.sa_handler = ignore_broken_pipes;
    sigemptyset(&action.sa_mask);
    sigaction(SIGPIPE, &action, nullptr);
}

double sample(const std::string& text, const std::string& series) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
    }
    return std::nan("");
}

}  // namespace csh::test
