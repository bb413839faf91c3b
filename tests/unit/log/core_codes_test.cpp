#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "log/code_registry.hpp"
#include "log/codes.hpp"

namespace {

bool owned_by_core(const std::string& code) {
    for (const char* prefix : {"CORE_", "SSH_", "SERVICE_", "LOG_"}) {
        if (code.rfind(prefix, 0) == 0) return true;
    }
    return code == "TEST" || code == "UNKNOWN_ERROR";
}

// The codes of every table row ("| `CODE` | ...") of the seed pages that the
// core owns.
std::set<std::string> core_codes_in_seed_pages() {
    const std::filesystem::path dir = CSH_SEEDS_DIR;
    BOOST_REQUIRE_MESSAGE(std::filesystem::is_directory(dir),
                          "seed pages directory " << dir << " is missing: the test compares the core's "
                          "code table against ContainerSSH's code lists there");
    std::set<std::string> codes;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".md") continue;
        std::ifstream in(entry.path());
        BOOST_REQUIRE_MESSAGE(in, "cannot read seed page " << entry.path());
        std::string line;
        while (std::getline(in, line)) {
            if (line.rfind("| `", 0) != 0) continue;
            const auto end = line.find('`', 3);
            if (end == std::string::npos) continue;
            const std::string code = line.substr(3, end - 3);
            if (owned_by_core(code)) codes.insert(code);
        }
    }
    return codes;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(core_codes)

BOOST_AUTO_TEST_CASE(every_core_code_of_the_seed_pages_is_registered) {
    const std::set<std::string> expected = core_codes_in_seed_pages();
    // TEST and UNKNOWN_ERROR alone would mean the pages were not parsed.
    BOOST_REQUIRE_MESSAGE(expected.size() > 10, "only " << expected.size() << " core codes found in "
                                                        << CSH_SEEDS_DIR);
    csh::log::CodeRegistry registry;
    BOOST_REQUIRE(!registry.add_core_codes().has_value());
    for (const std::string& code : expected) {
        BOOST_TEST_CONTEXT("code " << code) { BOOST_TEST((registry.find(code) != nullptr)); }
    }
    BOOST_TEST((registry.find("TEST") != nullptr));
    BOOST_TEST((registry.find("UNKNOWN_ERROR") != nullptr));
}

BOOST_AUTO_TEST_CASE(levels_and_modules_come_from_messages_def) {
    csh::log::CodeRegistry registry;
    BOOST_REQUIRE(!registry.add_core_codes().has_value());
    const auto* available = registry.find(csh::codes::SSH_AVAILABLE);
    BOOST_REQUIRE(available != nullptr);
    BOOST_TEST(available->level == CSH_LOG_NOTICE);
    BOOST_TEST(available->module == "ssh");
    BOOST_TEST(!available->explanation.empty());
    BOOST_TEST(registry.find(csh::codes::SSH_CONNECTED)->level == CSH_LOG_DEBUG);
    BOOST_TEST(registry.find(csh::codes::LOG_WRITE_FAILED)->module == "log");
    BOOST_TEST(registry.find(csh::codes::CORE_HOST_KEY_GENERATION_FAILED)->level == CSH_LOG_CRITICAL);
    BOOST_TEST(registry.all().size() == csh::log::core_message_code_count());
}

BOOST_AUTO_TEST_CASE(code_constants_spell_their_own_names) {
    BOOST_TEST(std::string(csh::codes::SSH_CONNECTED) == "SSH_CONNECTED");
    BOOST_TEST(std::string(csh::codes::UNKNOWN_ERROR) == "UNKNOWN_ERROR");
    BOOST_TEST(std::string(csh::log::core_message_codes()[0].code) == "CORE_CONFIG_ERROR");
    BOOST_TEST(std::string(csh::log::core_message_module(0)) == "core");
    BOOST_TEST((csh::log::core_message_module(csh::log::core_message_code_count()) == nullptr));
}

BOOST_AUTO_TEST_CASE(registering_the_core_twice_is_an_exact_copy_and_changes_nothing) {
    csh::log::CodeRegistry registry;
    BOOST_REQUIRE(!registry.add_core_codes().has_value());
    const auto before = registry.all();
    BOOST_REQUIRE(!registry.add_core_codes().has_value());
    const auto after = registry.all();
    BOOST_REQUIRE(after.size() == before.size());
    for (size_t i = 0; i < after.size(); ++i) BOOST_TEST(after[i].module == before[i].module);
}

BOOST_AUTO_TEST_SUITE_END()
