#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <filesystem>
#include <regex>
#include <string>
#include <unistd.h>
#include <vector>

#include "fd_capture.hpp"
#include "file_contents.hpp"
#include "file_lines.hpp"
#include "json_line.hpp"
#include "log/codes.hpp"
#include "log/logger.hpp"
#include "temp_dir.hpp"

namespace codes = csh::codes;
using csh::log::LogError;
using csh::log::Logger;
using csh::log::LogSettings;
using csh::log::test::parse_json_line;
using csh::log::test::read_lines;
using csh::test::read_file;

namespace {

struct FileLogFixture {
    FileLogFixture() {
        BOOST_REQUIRE(!registry.add_core_codes().has_value());
        settings.destination = LogSettings::Destination::file;
        settings.file = dir.file("containerssh.log");
    }
    std::string explanation(const char* code) const { return registry.find(code)->explanation; }

    csh::test::TempDir dir;
    csh::log::CodeRegistry registry;
    LogSettings settings;
};

const std::regex kRfc3339Ms(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");

}  // namespace

BOOST_FIXTURE_TEST_SUITE(logger_file, FileLogFixture)

BOOST_AUTO_TEST_CASE(ljson_line_has_exactly_the_expected_keys) {
    {
        Logger logger(registry, settings);
        logger.log(codes::SSH_AVAILABLE, "listening on \"0.0.0.0:2222\"\nnext",
                   {{"address", "0.0.0.0:2222"}, {"note", "say \"hi\"\n\tbye"}});
    }
    const std::string text = read_file(settings.file);
    BOOST_REQUIRE(!text.empty());
    BOOST_TEST(text.back() == '\n');
    const auto lines = read_lines(settings.file);
    BOOST_REQUIRE(lines.size() == 1u);
    // Escaped in the bytes, not just parseable.
    BOOST_TEST(lines[0].find(R"(listening on \"0.0.0.0:2222\"\nnext)") != std::string::npos);

    const auto line = parse_json_line(lines[0]);
    BOOST_TEST(line.keys == (std::vector<std::string>{"timestamp", "level", "code", "message", "details"}),
               boost::test_tools::per_element());
    BOOST_TEST(std::regex_match(line.values.at("timestamp"), kRfc3339Ms));
    BOOST_TEST(line.values.at("level") == "notice");
    BOOST_TEST(line.values.at("code") == "SSH_AVAILABLE");
    BOOST_TEST(line.values.at("message") == "listening on \"0.0.0.0:2222\"\nnext");
    BOOST_TEST(line.detail_keys == (std::vector<std::string>{"address", "note", "module"}),
               boost::test_tools::per_element());
    BOOST_TEST(line.details.at("address") == "0.0.0.0:2222");
    BOOST_TEST(line.details.at("note") == "say \"hi\"\n\tbye");
    BOOST_TEST(line.details.at("module") == "ssh");
}

BOOST_AUTO_TEST_CASE(an_empty_message_is_replaced_by_the_explanation) {
    {
        Logger logger(registry, settings);
        logger.log(codes::SSH_AVAILABLE, "");
    }
    const auto lines = read_lines(settings.file);
    BOOST_REQUIRE(lines.size() == 1u);
    BOOST_TEST(parse_json_line(lines[0]).values.at("message") == explanation(codes::SSH_AVAILABLE));
}

BOOST_AUTO_TEST_CASE(the_c_field_array_is_written_like_the_list) {
    const char key[] = "connectionId";
    const char value[] = "0123456789abcdef0123456789abcdef";
    const csh_field fields[] = {{{key, sizeof key - 1}, {value, sizeof value - 1}}};
    {
        Logger logger(registry, settings);
        logger.log(codes::SSH_AVAILABLE, "up", fields, 1);
    }
    const auto line = parse_json_line(read_lines(settings.file).at(0));
    BOOST_TEST(line.details.at("connectionId") == value);
}

BOOST_AUTO_TEST_CASE(a_module_field_cannot_override_the_registered_module) {
    {
        Logger logger(registry, settings);
        logger.log(codes::SSH_AVAILABLE, "up", {{"module", "forged"}});
    }
    const auto line = parse_json_line(read_lines(settings.file).at(0));
    BOOST_TEST(line.detail_keys == (std::vector<std::string>{"module"}), boost::test_tools::per_element());
    BOOST_TEST(line.details.at("module") == "ssh");
}

BOOST_AUTO_TEST_CASE(a_code_below_the_level_is_not_written) {
    {
        Logger logger(registry, settings);  // default level: notice
        BOOST_TEST(logger.level() == CSH_LOG_NOTICE);
        BOOST_TEST(!logger.enabled(codes::SSH_CONNECTED));
        BOOST_TEST(logger.enabled(codes::SSH_AVAILABLE));
        logger.log(codes::SSH_CONNECTED, "debug line");
        logger.log(codes::SSH_AVAILABLE, "notice line");
        logger.set_level(CSH_LOG_DEBUG);
        BOOST_TEST(logger.enabled(codes::SSH_CONNECTED));
        logger.log(codes::SSH_CONNECTED, "debug line after set_level");
        logger.set_level(CSH_LOG_ERROR);
        logger.log(codes::SSH_AVAILABLE, "notice line at error");
    }
    const auto lines = read_lines(settings.file);
    BOOST_REQUIRE(lines.size() == 2u);
    BOOST_TEST(parse_json_line(lines[0]).values.at("message") == "notice line");
    BOOST_TEST(parse_json_line(lines[1]).values.at("message") == "debug line after set_level");
}

BOOST_AUTO_TEST_CASE(an_unregistered_code_is_written_as_unknown_error) {
    {
        Logger logger(registry, settings);
        BOOST_TEST(logger.enabled("NO_SUCH_CODE"));  // UNKNOWN_ERROR is an error
        logger.log("NO_SUCH_CODE", "", {{"reason", "x"}});
    }
    const auto lines = read_lines(settings.file);
    BOOST_REQUIRE(lines.size() == 1u);
    const auto line = parse_json_line(lines[0]);
    BOOST_TEST(line.values.at("code") == "UNKNOWN_ERROR");
    BOOST_TEST(line.values.at("level") == "error");
    BOOST_TEST(line.values.at("message") == explanation(codes::UNKNOWN_ERROR));
    BOOST_TEST(line.detail_keys == (std::vector<std::string>{"reason", "unregisteredCode", "module"}),
               boost::test_tools::per_element());
    BOOST_TEST(line.details.at("unregisteredCode") == "NO_SUCH_CODE");
    BOOST_TEST(line.details.at("module") == "core");
}

BOOST_AUTO_TEST_CASE(text_format_is_tab_separated) {
    settings.format = LogSettings::Format::text;
    {
        Logger logger(registry, settings);
        logger.log(codes::SSH_AVAILABLE, "listening\tnow", {{"address", "0.0.0.0:2222"}, {"note", "a b"}});
    }
    const auto lines = read_lines(settings.file);
    BOOST_REQUIRE(lines.size() == 1u);
    const std::regex shape(R"((\S+)\tnotice\tSSH_AVAILABLE\t(.*))");
    std::smatch parts;
    BOOST_REQUIRE(std::regex_match(lines[0], parts, shape));
    BOOST_TEST(std::regex_match(parts[1].str(), kRfc3339Ms));
    BOOST_TEST(parts[2].str() == R"(listening\tnow (address=0.0.0.0:2222 note="a b" module=ssh))");
}

BOOST_AUTO_TEST_CASE(reopen_after_rename_writes_a_new_file_at_the_path) {
    const std::string rotated = dir.file("containerssh.log.1");
    {
        Logger logger(registry, settings);
        logger.log(codes::SSH_AVAILABLE, "before rotation");
        BOOST_REQUIRE(std::rename(settings.file.c_str(), rotated.c_str()) == 0);
        logger.log(codes::SSH_AVAILABLE, "after rename, before reopen");
        logger.reopen();
        logger.log(codes::SSH_AVAILABLE, "after reopen");
    }
    const auto old_lines = read_lines(rotated);
    BOOST_REQUIRE(old_lines.size() == 2u);
    BOOST_TEST(parse_json_line(old_lines[1]).values.at("message") == "after rename, before reopen");
    const auto new_lines = read_lines(settings.file);
    BOOST_REQUIRE(new_lines.size() == 1u);
    BOOST_TEST(parse_json_line(new_lines[0]).values.at("message") == "after reopen");
}

BOOST_AUTO_TEST_CASE(a_failed_reopen_logs_and_keeps_the_old_file) {
    // Move the file out of its directory and remove the directory, so the
    // configured path cannot be created again (works even as root).
    const std::string log_dir = dir.file("logs");
    std::filesystem::create_directory(log_dir);
    settings.file = log_dir + "/containerssh.log";
    const std::string moved = dir.file("moved.log");
    {
        Logger logger(registry, settings);
        BOOST_REQUIRE(std::rename(settings.file.c_str(), moved.c_str()) == 0);
        std::filesystem::remove(log_dir);
        logger.reopen();
        logger.log(codes::SSH_AVAILABLE, "still here");
    }
    const auto lines = read_lines(moved);
    BOOST_REQUIRE(lines.size() == 2u);
    const auto failure = parse_json_line(lines[0]);
    BOOST_TEST(failure.values.at("code") == "LOG_ROTATE_FAILED");
    BOOST_TEST(failure.details.at("file") == settings.file);
    BOOST_TEST(failure.values.at("message").find(settings.file) != std::string::npos);
    BOOST_TEST(parse_json_line(lines[1]).values.at("message") == "still here");
}

BOOST_AUTO_TEST_CASE(an_unopenable_file_throws_log_file_open_failed) {
    settings.file = dir.file("missing-dir/containerssh.log");
    try {
        Logger logger(registry, settings);
        BOOST_FAIL("the logger opened " << settings.file);
    } catch (const LogError& e) {
        BOOST_TEST(e.code() == "LOG_FILE_OPEN_FAILED");
        BOOST_TEST(std::string(e.what()).find(settings.file) != std::string::npos);
        BOOST_TEST(std::string(e.what()).find("No such file or directory") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(the_file_is_created_with_mode_0640) {
    { Logger logger(registry, settings); }
    const auto perms = std::filesystem::status(settings.file).permissions();
    // The process umask may only remove bits.
    BOOST_TEST(((perms & ~std::filesystem::perms(0640)) == std::filesystem::perms::none));
    BOOST_TEST(((perms & std::filesystem::perms::owner_write) != std::filesystem::perms::none));
}

BOOST_AUTO_TEST_CASE(write_failures_are_reported_on_stderr_once_per_burst) {
    BOOST_REQUIRE_MESSAGE(std::filesystem::exists("/dev/full"), "the test needs /dev/full");
    // Through a symlink to /dev/full every write fails with ENOSPC; replacing
    // the link with a regular file and reopening ends the burst.
    settings.file = dir.file("full.log");
    std::filesystem::create_symlink("/dev/full", settings.file);
    const std::string captured = dir.file("stderr");
    {
        Logger logger(registry, settings);
        csh::log::test::FdCapture capture(STDERR_FILENO, captured);
        logger.log(codes::SSH_AVAILABLE, "one");
        logger.log(codes::SSH_AVAILABLE, "two");
        logger.log(codes::SSH_AVAILABLE, "three");

        std::filesystem::remove(settings.file);
        logger.reopen();
        logger.log(codes::SSH_AVAILABLE, "recovered");

        std::filesystem::rename(settings.file, dir.file("recovered.log"));
        std::filesystem::create_symlink("/dev/full", settings.file);
        logger.reopen();
        logger.log(codes::SSH_AVAILABLE, "four");
        logger.log(codes::SSH_AVAILABLE, "five");
    }
    const auto lines = read_lines(captured);
    BOOST_REQUIRE(lines.size() == 2u);  // one per burst
    for (const std::string& text : lines) {
        const auto report = parse_json_line(text);
        BOOST_TEST(report.values.at("code") == "LOG_WRITE_FAILED");
        BOOST_TEST(report.values.at("level") == "error");
        BOOST_TEST(report.details.at("destination") == settings.file);
        BOOST_TEST(report.details.at("error") == "No space left on device");
        BOOST_TEST(report.details.at("module") == "log");
    }
    const auto recovered = read_lines(dir.file("recovered.log"));
    BOOST_REQUIRE(recovered.size() == 1u);
    BOOST_TEST(parse_json_line(recovered[0]).values.at("message") == "recovered");
}

BOOST_AUTO_TEST_SUITE_END()
