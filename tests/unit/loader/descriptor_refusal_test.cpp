// One fixture per descriptor fault: each is refused with its own code and a
// message that names the file and the field at fault; nothing is kept.
#include "loader_fixtures.hpp"

using namespace csh::plugins;
using namespace csh::plugins::test;

namespace {

void check_refusal(const Refusal& refusal, const std::filesystem::path& file, const char* code,
                   std::initializer_list<std::string> named) {
    BOOST_TEST(refusal.code == code);
    BOOST_TEST(refusal.file == file);
    BOOST_TEST(contains(refusal.message, file.string()));
    for (const auto& part : named) BOOST_TEST(contains(refusal.message, part));
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(descriptor_refusals, LoaderSetup)

BOOST_AUTO_TEST_CASE(entry_returning_null_is_a_bad_magic) {
    check_refusal(only_refusal(registry, CSH_FIXTURE_DIR(NULL_DESCRIPTOR)), CSH_FIXTURE_FILE(NULL_DESCRIPTOR),
                  "CORE_PLUGIN_BAD_MAGIC", {"returned NULL"});
}

BOOST_AUTO_TEST_CASE(wrong_magic_is_refused_showing_both_values) {
    check_refusal(only_refusal(registry, CSH_FIXTURE_DIR(BAD_MAGIC)), CSH_FIXTURE_FILE(BAD_MAGIC),
                  "CORE_PLUGIN_BAD_MAGIC", {"magic", "0xDEADBEEF", "0x50485343"});
}

BOOST_AUTO_TEST_CASE(other_abi_major_is_refused_showing_both_majors) {
    check_refusal(only_refusal(registry, CSH_FIXTURE_DIR(ABI_MAJOR)), CSH_FIXTURE_FILE(ABI_MAJOR),
                  "CORE_PLUGIN_ABI_MISMATCH", {"major 2", "major 1"});
}

BOOST_AUTO_TEST_CASE(plugin_needing_a_newer_host_minor_is_refused) {
    check_refusal(only_refusal(registry, CSH_FIXTURE_DIR(HOST_MINOR)), CSH_FIXTURE_FILE(HOST_MINOR),
                  "CORE_PLUGIN_HOST_TOO_OLD",
                  {"min_host_minor is " + std::to_string(CSH_ABI_MINOR + 1), "ABI 1." + std::to_string(CSH_ABI_MINOR)});
}

BOOST_AUTO_TEST_CASE(descriptor_shorter_than_abi_1_0_is_refused) {
    check_refusal(only_refusal(registry, CSH_FIXTURE_DIR(SHORT_DESCRIPTOR)), CSH_FIXTURE_FILE(SHORT_DESCRIPTOR),
                  "CORE_PLUGIN_DESCRIPTOR_TOO_SHORT", {"struct_size is 16 bytes", "at least 104"});
}

BOOST_AUTO_TEST_CASE(null_required_field_is_refused_naming_it) {
    check_refusal(only_refusal(registry, CSH_FIXTURE_DIR(SLOT_MISSING)), CSH_FIXTURE_FILE(SLOT_MISSING),
                  "CORE_PLUGIN_SLOT_MISSING", {"'get_interface'"});
}

BOOST_AUTO_TEST_CASE(add_file_refuses_the_same_way_as_discovery) {
    const auto refusal = registry.add_file(CSH_FIXTURE_FILE(ABI_MAJOR));
    BOOST_TEST_REQUIRE(refusal.has_value());
    check_refusal(*refusal, CSH_FIXTURE_FILE(ABI_MAJOR), "CORE_PLUGIN_ABI_MISMATCH", {"major 2"});
    BOOST_TEST(registry.plugins().empty());
}

BOOST_AUTO_TEST_SUITE_END()
