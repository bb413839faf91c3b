// Plugin ids and message codes are unique across the process.
#include "loader_fixtures.hpp"

using namespace csh::plugins;
using namespace csh::plugins::test;

BOOST_FIXTURE_TEST_SUITE(duplicates, LoaderSetup)

BOOST_AUTO_TEST_CASE(second_file_with_a_loaded_id_is_refused_naming_both_files) {
    const auto refusals = registry.discover({CSH_FIXTURE_DIR(DUPLICATE_ID_A)});
    BOOST_TEST_REQUIRE(refusals.size() == 1u);
    const Refusal& refusal = refusals.front();
    BOOST_TEST(refusal.code == "CORE_PLUGIN_DUPLICATE_ID");
    BOOST_TEST(refusal.file == CSH_FIXTURE_FILE(DUPLICATE_ID_B));
    BOOST_TEST(contains(refusal.message, "io.containerssh.test.duplicate-id"));
    BOOST_TEST(contains(refusal.message, CSH_FIXTURE_FILE(DUPLICATE_ID_A).string()));
    BOOST_TEST(contains(refusal.message, CSH_FIXTURE_FILE(DUPLICATE_ID_B).string()));
    // The first one found stays.
    BOOST_TEST_REQUIRE(registry.plugins().size() == 1u);
    BOOST_TEST(registry.plugins()[0]->path() == CSH_FIXTURE_FILE(DUPLICATE_ID_A));
}

BOOST_AUTO_TEST_CASE(code_repeating_a_core_code_is_refused_and_no_code_of_the_table_registered) {
    const Refusal refusal = only_refusal(registry, CSH_FIXTURE_DIR(DUPLICATE_CORE_CODE));
    BOOST_TEST(refusal.code == "CORE_PLUGIN_DUPLICATE_CODE");
    BOOST_TEST(refusal.file == CSH_FIXTURE_FILE(DUPLICATE_CORE_CODE));
    BOOST_TEST(contains(refusal.message, CSH_FIXTURE_FILE(DUPLICATE_CORE_CODE).string()));
    BOOST_TEST(contains(refusal.message, "'SSH_CONNECTED'"));
    BOOST_TEST(codes.find("FIXTURE_DUPLICATE_CORE_OWN") == nullptr);
    BOOST_TEST_REQUIRE(codes.find("SSH_CONNECTED") != nullptr);
    BOOST_TEST(codes.find("SSH_CONNECTED")->module == "ssh");
}

BOOST_AUTO_TEST_CASE(code_repeating_another_plugins_code_is_refused) {
    const auto refusals =
        registry.discover({CSH_FIXTURE_DIR(GOOD), CSH_FIXTURE_DIR(DUPLICATE_PLUGIN_CODE)});
    BOOST_TEST_REQUIRE(refusals.size() == 1u);
    BOOST_TEST(refusals[0].code == "CORE_PLUGIN_DUPLICATE_CODE");
    BOOST_TEST(refusals[0].file == CSH_FIXTURE_FILE(DUPLICATE_PLUGIN_CODE));
    BOOST_TEST(contains(refusals[0].message, "'FIXTURE_GOOD_STARTED'"));
    // The code stays the first plugin's.
    BOOST_TEST_REQUIRE(codes.find("FIXTURE_GOOD_STARTED") != nullptr);
    BOOST_TEST(codes.find("FIXTURE_GOOD_STARTED")->module == "io.containerssh.test.good");
    BOOST_TEST(registry.plugins().size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
