#include <sys/stat.h>

#include <boost/test/unit_test.hpp>

#include <string>

#include "agent_process.hpp"
#include "file_contents.hpp"
#include "temp_dir.hpp"

using csh::agent::test::run_agent;

namespace {

unsigned permissions(const std::string& path) {
    struct stat info {};
    BOOST_REQUIRE(::stat(path.c_str(), &info) == 0);
    return info.st_mode & 07777;
}

// Every byte value, NUL included, and more than one read's worth.
std::string binary_payload() {
    std::string payload;
    for (int round = 0; round < 1000; ++round) {
        for (int value = 0; value < 256; ++value) payload.push_back(static_cast<char>((value + round) & 0xff));
    }
    return payload;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(write_file)

BOOST_AUTO_TEST_CASE(writes_stdin_bytes_exactly_with_mode_0600) {
    csh::test::TempDir dir;
    const auto path = dir.file("ccache");
    const auto payload = binary_payload();
    const auto result = run_agent({"write-file", path}, payload);
    BOOST_TEST(result.exit_code() == 0);
    BOOST_TEST(result.out == "");
    BOOST_TEST(result.err == "");
    BOOST_TEST((csh::test::read_file(path) == payload));
    BOOST_TEST(permissions(path) == 0600u);
}

BOOST_AUTO_TEST_CASE(truncates_an_existing_file_and_narrows_its_mode) {
    csh::test::TempDir dir;
    const auto path = dir.file("existing");
    csh::test::write_file(path, "a much longer old content");
    BOOST_REQUIRE(::chmod(path.c_str(), 0644) == 0);
    const auto result = run_agent({"write-file", path}, std::string("n\0w", 3));
    BOOST_TEST(result.exit_code() == 0);
    BOOST_TEST((csh::test::read_file(path) == std::string("n\0w", 3)));
    BOOST_TEST(permissions(path) == 0600u);
}

BOOST_AUTO_TEST_CASE(empty_stdin_leaves_an_empty_file) {
    csh::test::TempDir dir;
    const auto path = dir.file("empty");
    const auto result = run_agent({"write-file", path}, "");
    BOOST_TEST(result.exit_code() == 0);
    BOOST_TEST(csh::test::read_file(path) == "");
}

BOOST_AUTO_TEST_CASE(an_unwritable_path_fails_with_a_message) {
    csh::test::TempDir dir;
    // The tests may run as root, so permissions alone cannot make a path
    // unwritable: a missing directory and a directory itself can.
    for (const auto& path : {dir.file("missing-dir/file"), dir.path().string()}) {
        BOOST_TEST_CONTEXT("path " << path) {
            const auto result = run_agent({"write-file", path}, "data");
            BOOST_TEST(result.exit_code() != 0);
            BOOST_TEST(result.exit_code() == 1);
            BOOST_TEST(result.err.find(path) != std::string::npos);
        }
    }
}

BOOST_AUTO_TEST_CASE(needs_exactly_one_path) {
    csh::test::TempDir dir;
    BOOST_TEST(run_agent({"write-file"}, "data").exit_code() == 1);
    BOOST_TEST(run_agent({"write-file", dir.file("a"), dir.file("b")}, "data").exit_code() == 1);
}

BOOST_AUTO_TEST_SUITE_END()
