// find_interface_defect on tables built in memory: the cases no fixture covers.
#include <containerssh/plugin.h>

#include <boost/test/unit_test.hpp>

#include "plugins/interface_check.hpp"

using csh::plugins::find_interface_defect;

namespace {

void password(csh_plugin_instance*, const csh_connection_info*, csh_bytes, csh_auth_completion) {}
void authorize(csh_plugin_instance*, const csh_connection_info*, csh_auth_completion) {}
void connection_config(csh_plugin_instance*, const csh_connection_info*, csh_config_completion) {}

csh_auth_interface auth_table(uint32_t methods) {
    csh_auth_interface table{};
    table.struct_size = sizeof table;
    table.methods = methods;
    table.password = password;
    table.authorize = authorize;
    return table;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(interface_check)

BOOST_AUTO_TEST_CASE(auth_serving_no_method_is_a_defect) {
    const auto table = auth_table(0);
    const auto defect = find_interface_defect(CSH_AUTH_INTERFACE_ID, &table);
    BOOST_TEST_REQUIRE(defect.has_value());
    BOOST_TEST(defect->field == "auth.methods");
    BOOST_TEST(defect->problem == "is 0: the plugin serves no method");
}

BOOST_AUTO_TEST_CASE(auth_needs_only_the_slots_of_its_methods) {
    const auto table = auth_table(CSH_AUTH_METHOD_PASSWORD | CSH_AUTH_METHOD_AUTHORIZATION);
    BOOST_TEST(!find_interface_defect(CSH_AUTH_INTERFACE_ID, &table).has_value());
}

BOOST_AUTO_TEST_CASE(auth_advertising_keyboard_interactive_needs_its_slot) {
    const auto table = auth_table(CSH_AUTH_METHOD_PASSWORD | CSH_AUTH_METHOD_KEYBOARD_INTERACTIVE);
    const auto defect = find_interface_defect(CSH_AUTH_INTERFACE_ID, &table);
    BOOST_TEST_REQUIRE(defect.has_value());
    BOOST_TEST(defect->field == "auth.keyboard_interactive");
    BOOST_TEST(defect->problem == "is NULL");
}

BOOST_AUTO_TEST_CASE(a_table_from_a_later_minor_may_be_larger) {
    // A 1.x plugin's table that grew at its end: the version-1 part is all the host reads.
    struct GrownConfig {
        csh_config_interface v1;
        void (*added_later)();
    } grown{};
    grown.v1.struct_size = sizeof grown;
    grown.v1.connection_config = connection_config;
    BOOST_TEST(!find_interface_defect(CSH_CONFIG_INTERFACE_ID, &grown).has_value());
}

BOOST_AUTO_TEST_CASE(a_short_table_is_reported_before_any_slot_is_read) {
    csh_backend_interface table{};
    table.struct_size = 8;
    const auto defect = find_interface_defect(CSH_BACKEND_INTERFACE_ID, &table);
    BOOST_TEST_REQUIRE(defect.has_value());
    BOOST_TEST(defect->field == "backend.struct_size");
    BOOST_TEST(defect->problem == "is 8 bytes, version 1 needs at least " + std::to_string(sizeof table));
}

BOOST_AUTO_TEST_CASE(unknown_interface_ids_are_left_to_their_caller) {
    const uint32_t table = 0;
    BOOST_TEST(!find_interface_defect("example.custom/1", &table).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
