#include <boost/test/unit_test.hpp>

#include <set>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "fd_capture.hpp"
#include "file_lines.hpp"
#include "json_line.hpp"
#include "log/codes.hpp"
#include "log/logger.hpp"
#include "temp_dir.hpp"

using csh::log::Logger;
using csh::log::LogSettings;

namespace {

constexpr int kThreads = 4;
constexpr int kLinesPerThread = 1000;

// Long enough that a line spans many bytes, so interleaving would show.
const std::string kPadding(300, 'x');

void log_from_threads(Logger& logger) {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&logger, t] {
            for (int i = 0; i < kLinesPerThread; ++i) {
                const std::string id = std::to_string(t) + "/" + std::to_string(i);
                logger.log(csh::codes::SSH_AVAILABLE, kPadding, {{"line", id}});
            }
        });
    }
    for (auto& thread : threads) thread.join();
}

// Every line parses and every (thread, index) pair appears exactly once.
void check_complete_lines(const std::string& path) {
    const auto lines = csh::log::test::read_lines(path);
    BOOST_REQUIRE(lines.size() == static_cast<std::size_t>(kThreads * kLinesPerThread));
    std::set<std::string> seen;
    for (const std::string& text : lines) {
        const auto line = csh::log::test::parse_json_line(text);
        BOOST_REQUIRE(line.values.at("message") == kPadding);
        BOOST_REQUIRE(seen.insert(line.details.at("line")).second);
    }
    BOOST_TEST(seen.size() == static_cast<std::size_t>(kThreads * kLinesPerThread));
}

struct ConcurrencyFixture {
    ConcurrencyFixture() { BOOST_REQUIRE(!registry.add_core_codes().has_value()); }
    csh::test::TempDir dir;
    csh::log::CodeRegistry registry;
    LogSettings settings;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(logger_concurrency, ConcurrencyFixture)

BOOST_AUTO_TEST_CASE(four_threads_write_4000_complete_lines_to_a_file) {
    settings.destination = LogSettings::Destination::file;
    settings.file = dir.file("containerssh.log");
    {
        Logger logger(registry, settings);
        log_from_threads(logger);
    }
    check_complete_lines(settings.file);
}

BOOST_AUTO_TEST_CASE(four_threads_write_4000_complete_lines_to_stdout) {
    const std::string captured = dir.file("stdout");
    {
        Logger logger(registry, settings);  // stdout is the default destination
        csh::log::test::FdCapture capture(STDOUT_FILENO, captured);
        log_from_threads(logger);
    }
    check_complete_lines(captured);
}

BOOST_AUTO_TEST_CASE(reopening_while_threads_write_loses_no_line) {
    settings.destination = LogSettings::Destination::file;
    settings.file = dir.file("containerssh.log");
    {
        Logger logger(registry, settings);
        std::thread rotator([&logger] {
            for (int i = 0; i < 100; ++i) logger.reopen();
        });
        log_from_threads(logger);
        rotator.join();
    }
    check_complete_lines(settings.file);
}

BOOST_AUTO_TEST_SUITE_END()
