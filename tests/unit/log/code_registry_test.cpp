#include <boost/test/unit_test.hpp>

#include <iterator>
#include <string>

#include "log/code_registry.hpp"

using csh::log::CodeRegistry;

namespace {

const csh_message_code kFirstTable[] = {
    {"ZETA_DONE", CSH_LOG_INFO, "Zeta finished."},
    {"ALPHA_FAILED", CSH_LOG_ERROR, "Alpha failed | badly."},
};

std::size_t count_lines(const std::string& text) {
    std::size_t lines = 0;
    for (char c : text) lines += c == '\n';
    return lines;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(code_registry)

BOOST_AUTO_TEST_CASE(a_new_registry_is_empty) {
    CodeRegistry registry;
    BOOST_TEST(registry.all().empty());
    BOOST_TEST(registry.find("ZETA_DONE") == nullptr);
}

BOOST_AUTO_TEST_CASE(find_returns_the_registered_entry) {
    CodeRegistry registry;
    BOOST_TEST(!registry.add("zeta", kFirstTable, std::size(kFirstTable)).has_value());
    const auto* info = registry.find("ALPHA_FAILED");
    BOOST_REQUIRE(info != nullptr);
    BOOST_TEST(info->code == "ALPHA_FAILED");
    BOOST_TEST(info->level == CSH_LOG_ERROR);
    BOOST_TEST(info->module == "zeta");
    BOOST_TEST(info->explanation == "Alpha failed | badly.");
}

BOOST_AUTO_TEST_CASE(a_duplicate_inside_one_table_refuses_the_whole_table) {
    const csh_message_code table[] = {
        {"ONE", CSH_LOG_INFO, "first"},
        {"TWO", CSH_LOG_INFO, "second"},
        {"ONE", CSH_LOG_ERROR, "first again"},
    };
    CodeRegistry registry;
    const auto refused = registry.add("m", table, std::size(table));
    BOOST_REQUIRE(refused.has_value());
    BOOST_TEST(*refused == "ONE");
    BOOST_TEST(registry.all().empty());
    BOOST_TEST(registry.find("TWO") == nullptr);
}

BOOST_AUTO_TEST_CASE(a_duplicate_across_tables_refuses_the_second_table) {
    const csh_message_code second[] = {
        {"NEW_CODE", CSH_LOG_INFO, "new"},
        {"ZETA_DONE", CSH_LOG_DEBUG, "clash"},
    };
    CodeRegistry registry;
    BOOST_REQUIRE(!registry.add("zeta", kFirstTable, std::size(kFirstTable)).has_value());
    const auto refused = registry.add("other", second, std::size(second));
    BOOST_REQUIRE(refused.has_value());
    BOOST_TEST(*refused == "ZETA_DONE");
    BOOST_TEST(registry.find("NEW_CODE") == nullptr);
    BOOST_TEST(registry.all().size() == 2u);
    // The first registration is untouched.
    BOOST_TEST(registry.find("ZETA_DONE")->module == "zeta");
    BOOST_TEST(registry.find("ZETA_DONE")->level == CSH_LOG_INFO);
}

BOOST_AUTO_TEST_CASE(a_same_level_different_text_repeat_is_still_refused) {
    const csh_message_code second[] = {{"ZETA_DONE", CSH_LOG_INFO, "Zeta finished!"}};
    CodeRegistry registry;
    BOOST_REQUIRE(!registry.add("zeta", kFirstTable, std::size(kFirstTable)).has_value());
    const auto refused = registry.add("other", second, std::size(second));
    BOOST_REQUIRE(refused.has_value());
    BOOST_TEST(*refused == "ZETA_DONE");
}

BOOST_AUTO_TEST_CASE(an_exact_copy_of_a_shared_table_is_accepted_and_lists_both_modules) {
    // What two plugins linking the same library (with its messages.def) do.
    const csh_message_code shared[] = {{"HTTP_THING", CSH_LOG_DEBUG, "Shared."}};
    const csh_message_code own[] = {{"B_ONLY", CSH_LOG_INFO, "b"}, {"HTTP_THING", CSH_LOG_DEBUG, "Shared."}};
    CodeRegistry registry;
    BOOST_REQUIRE(!registry.add("plugin.a", shared, std::size(shared)).has_value());
    BOOST_REQUIRE(!registry.add("plugin.b", own, std::size(own)).has_value());
    BOOST_REQUIRE(!registry.add("plugin.b", shared, std::size(shared)).has_value());
    BOOST_TEST(registry.find("B_ONLY") != nullptr);
    BOOST_TEST(registry.find("HTTP_THING")->module == "plugin.a");
    const auto all = registry.all();
    BOOST_REQUIRE(all.size() == 2u);
    BOOST_TEST(all[1].code == "HTTP_THING");
    BOOST_TEST(all[1].module == "plugin.a, plugin.b");
}

BOOST_AUTO_TEST_CASE(an_entry_without_a_code_refuses_the_table) {
    const csh_message_code table[] = {{"FINE", CSH_LOG_INFO, "ok"}, {nullptr, CSH_LOG_INFO, "broken"}};
    CodeRegistry registry;
    const auto refused = registry.add("m", table, std::size(table));
    BOOST_REQUIRE(refused.has_value());
    BOOST_TEST(refused->empty());
    BOOST_TEST(registry.all().empty());
}

BOOST_AUTO_TEST_CASE(a_null_explanation_is_empty) {
    const csh_message_code table[] = {{"BARE", CSH_LOG_INFO, nullptr}};
    CodeRegistry registry;
    BOOST_REQUIRE(!registry.add("m", table, 1).has_value());
    BOOST_TEST(registry.find("BARE")->explanation == "");
}

BOOST_AUTO_TEST_CASE(pointers_stay_valid_while_tables_are_added) {
    CodeRegistry registry;
    BOOST_REQUIRE(!registry.add("zeta", kFirstTable, std::size(kFirstTable)).has_value());
    const auto* before = registry.find("ZETA_DONE");
    BOOST_REQUIRE(!registry.add_core_codes().has_value());
    BOOST_TEST(registry.find("ZETA_DONE") == before);
    BOOST_TEST(before->explanation == "Zeta finished.");
}

BOOST_AUTO_TEST_CASE(all_is_sorted_by_code) {
    CodeRegistry registry;
    BOOST_REQUIRE(!registry.add("zeta", kFirstTable, std::size(kFirstTable)).has_value());
    const csh_message_code more[] = {{"MIDDLE", CSH_LOG_NOTICE, "m"}};
    BOOST_REQUIRE(!registry.add("middle", more, 1).has_value());
    const auto all = registry.all();
    BOOST_REQUIRE(all.size() == 3u);
    BOOST_TEST(all[0].code == "ALPHA_FAILED");
    BOOST_TEST(all[1].code == "MIDDLE");
    BOOST_TEST(all[2].code == "ZETA_DONE");
    BOOST_TEST(all[1].module == "middle");
}

BOOST_AUTO_TEST_CASE(markdown_table_has_a_row_per_code_with_level_names) {
    CodeRegistry registry;
    BOOST_REQUIRE(!registry.add("zeta", kFirstTable, std::size(kFirstTable)).has_value());
    const std::string table = registry.markdown_table();
    BOOST_TEST(table ==
               "| Code | Level | Module | Explanation |\n"
               "|------|-------|--------|-------------|\n"
               "| `ALPHA_FAILED` | error | zeta | Alpha failed \\| badly. |\n"
               "| `ZETA_DONE` | info | zeta | Zeta finished. |\n");
}

BOOST_AUTO_TEST_CASE(markdown_table_of_the_core_lists_every_core_code) {
    CodeRegistry registry;
    BOOST_REQUIRE(!registry.add_core_codes().has_value());
    const std::string table = registry.markdown_table();
    BOOST_TEST(count_lines(table) == registry.all().size() + 2);
    BOOST_TEST(table.find("| `SSH_AVAILABLE` | notice | ssh | ") != std::string::npos);
    BOOST_TEST(table.find("| `LOG_FILE_OPEN_FAILED` | crit | log | ") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(levels)

BOOST_AUTO_TEST_CASE(names_are_the_syslog_names) {
    using csh::log::level_name;
    BOOST_TEST(level_name(CSH_LOG_EMERGENCY) == "emerg");
    BOOST_TEST(level_name(CSH_LOG_ALERT) == "alert");
    BOOST_TEST(level_name(CSH_LOG_CRITICAL) == "crit");
    BOOST_TEST(level_name(CSH_LOG_ERROR) == "error");
    BOOST_TEST(level_name(CSH_LOG_WARNING) == "warning");
    BOOST_TEST(level_name(CSH_LOG_NOTICE) == "notice");
    BOOST_TEST(level_name(CSH_LOG_INFO) == "info");
    BOOST_TEST(level_name(CSH_LOG_DEBUG) == "debug");
    BOOST_TEST(level_name(8) == "invalid");
}

BOOST_AUTO_TEST_CASE(parse_accepts_names_and_numbers_only) {
    using csh::log::parse_level;
    for (csh_log_level level = 0; level <= CSH_LOG_DEBUG; ++level) {
        BOOST_TEST(int(parse_level(csh::log::level_name(level)).value_or(99)) == int(level));
        BOOST_TEST(int(parse_level(std::string(1, static_cast<char>('0' + level))).value_or(99)) ==
                   int(level));
    }
    BOOST_TEST(!parse_level("warn").has_value());
    BOOST_TEST(!parse_level("8").has_value());
    BOOST_TEST(!parse_level("05").has_value());
    BOOST_TEST(!parse_level("NOTICE").has_value());
    BOOST_TEST(!parse_level("").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
