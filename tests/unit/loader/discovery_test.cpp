// Which files discovery tries, in which order, and the refusals of files that
// are not plugins at all.
#include <filesystem>

#include "file_contents.hpp"
#include "loader_fixtures.hpp"
#include "temp_dir.hpp"

using namespace csh::plugins;
using namespace csh::plugins::test;
using csh::test::TempDir;
using csh::test::write_file;

BOOST_FIXTURE_TEST_SUITE(discovery, LoaderSetup)

BOOST_AUTO_TEST_CASE(missing_directory_is_skipped) {
    TempDir scratch;
    const auto refusals = registry.discover({scratch.path() / "does-not-exist"});
    BOOST_TEST(refusals.empty());
    BOOST_TEST(registry.plugins().empty());
}

BOOST_AUTO_TEST_CASE(plugin_directory_that_cannot_be_read_is_reported) {
    TempDir scratch;
    const auto not_a_directory = scratch.path() / "plugins";
    write_file(not_a_directory, "a file where a directory was expected");
    const Refusal refusal = only_refusal(registry, not_a_directory);
    BOOST_TEST(refusal.code == "CORE_PLUGIN_OPEN_FAILED");
    BOOST_TEST(refusal.file == not_a_directory);
    BOOST_TEST(contains(refusal.message, "plugin directory " + not_a_directory.string() + " cannot be read"));
}

BOOST_AUTO_TEST_CASE(only_regular_files_ending_in_so_are_tried_and_subdirectories_are_not_searched) {
    TempDir scratch;
    write_file(scratch.path() / "README.txt", "not a plugin");
    write_file(scratch.path() / "plugin.so.disabled", "not a plugin");
    std::filesystem::create_directory(scratch.path() / "nested.so");
    std::filesystem::copy_file(CSH_FIXTURE_FILE(GOOD), scratch.path() / "nested.so" / "good.so");
    const auto refusals = registry.discover({scratch.path()});
    BOOST_TEST(refusals.empty());
    BOOST_TEST(registry.plugins().empty());
}

BOOST_AUTO_TEST_CASE(file_that_is_not_a_shared_object_is_refused_with_the_loader_error) {
    TempDir scratch;
    const auto junk = scratch.path() / "junk.so";
    write_file(junk, "this is text, not ELF");
    const Refusal refusal = only_refusal(registry, scratch.path());
    BOOST_TEST(refusal.code == "CORE_PLUGIN_OPEN_FAILED");
    BOOST_TEST(refusal.file == junk);
    BOOST_TEST(contains(refusal.message, junk.string()));
    // glibc's dlerror text for a file that is not ELF.
    BOOST_TEST((contains(refusal.message, "invalid ELF header") || contains(refusal.message, "file too short")));
}

BOOST_AUTO_TEST_CASE(shared_object_without_entry_symbol_is_refused) {
    const Refusal refusal = only_refusal(registry, CSH_FIXTURE_DIR(NO_ENTRY));
    BOOST_TEST(refusal.code == "CORE_PLUGIN_NO_ENTRY");
    BOOST_TEST(refusal.file == CSH_FIXTURE_FILE(NO_ENTRY));
    BOOST_TEST(contains(refusal.message, CSH_FIXTURE_FILE(NO_ENTRY).string()));
    BOOST_TEST(contains(refusal.message, "containerssh_plugin_entry"));
}

BOOST_AUTO_TEST_CASE(directories_are_searched_in_the_given_order_and_refusals_collected_from_all) {
    const auto refusals = registry.discover(
        {CSH_FIXTURE_DIR(BAD_MAGIC), CSH_FIXTURE_DIR(GOOD), CSH_FIXTURE_DIR(NO_ENTRY)});
    BOOST_TEST_REQUIRE(refusals.size() == 2u);
    BOOST_TEST(refusals[0].code == "CORE_PLUGIN_BAD_MAGIC");
    BOOST_TEST(refusals[1].code == "CORE_PLUGIN_NO_ENTRY");
    BOOST_TEST_REQUIRE(registry.plugins().size() == 1u);
    BOOST_TEST(registry.plugins()[0]->id() == "io.containerssh.test.good");
}

BOOST_AUTO_TEST_CASE(files_of_a_directory_are_loaded_in_file_name_order) {
    // Copies of two different fixtures, named so that name order differs from
    // creation order.
    TempDir scratch;
    std::filesystem::copy_file(CSH_FIXTURE_FILE(INIT_FAILS), scratch.path() / "b-init-fails.so");
    std::filesystem::copy_file(CSH_FIXTURE_FILE(GOOD), scratch.path() / "a-good.so");
    BOOST_TEST(registry.discover({scratch.path()}).empty());
    BOOST_TEST_REQUIRE(registry.plugins().size() == 2u);
    BOOST_TEST(registry.plugins()[0]->path() == scratch.path() / "a-good.so");
    BOOST_TEST(registry.plugins()[1]->path() == scratch.path() / "b-init-fails.so");
}

BOOST_AUTO_TEST_CASE(add_file_loads_one_file) {
    BOOST_TEST(!registry.add_file(CSH_FIXTURE_FILE(GOOD)).has_value());
    BOOST_TEST_REQUIRE(registry.plugins().size() == 1u);
    BOOST_TEST(registry.plugins()[0]->path() == CSH_FIXTURE_FILE(GOOD));
}

BOOST_AUTO_TEST_SUITE_END()
