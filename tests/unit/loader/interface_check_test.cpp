// find_interface_defect on tables built in memory: the cases no fixture covers.
#include <containerssh/plugin.h>

#include <boost/test/unit_test.hpp>

#include "plugins/interface_check.hpp"

using csh::plugins::find_interface_defect;

namespace {

void password(csh_plugin_instance*, const csh_connection_info*, csh_bytes, csh_auth_completion) {}
void authorize(csh_plugin_instance*, const csh_connection_info*, csh_auth_completion) {}
void connection_config(csh_plugin_instance*, const csh_connection_info*, csh_config_completion) {}

void connection_open(csh_plugin_instance*, const csh_connection_info*, csh_str, csh_backend_open_completion) {}
void connection_close(csh_backend_connection*, csh_status_completion) {}
csh_status session_open(csh_backend_connection*, const csh_session_params*, csh_backend_session**) {
    return CSH_FAILED;
}
void session_exec(csh_backend_session*, csh_str, csh_status_completion) {}
size_t session_stdin(csh_backend_session*, csh_bytes) { return 0; }
void session_event(csh_backend_session*) {}

// A backend with only the slots ABI 1.2 requires: exec and the byte flow.
csh_backend_interface minimal_backend() {
    csh_backend_interface table{};
    table.struct_size = sizeof table;
    table.connection_open = connection_open;
    table.connection_close = connection_close;
    table.session_open = session_open;
    table.session_exec = session_exec;
    table.session_stdin = session_stdin;
    table.session_stdin_eof = session_event;
    table.session_output_ready = session_event;
    table.session_close = session_event;
    return table;
}

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
    BOOST_TEST(defect->problem == "is 8 bytes, version 1 needs at least 120");
}

BOOST_AUTO_TEST_CASE(a_backend_may_leave_the_optional_request_slots_null) {
    // env, pty, shell, subsystem, window-change and signal: the host refuses them itself.
    const auto table = minimal_backend();
    BOOST_TEST(!find_interface_defect(CSH_BACKEND_INTERFACE_ID, &table).has_value());
}

BOOST_AUTO_TEST_CASE(a_backend_table_of_abi_1_0_without_forwarding_slots_is_accepted) {
    auto table = minimal_backend();
    table.struct_size = 120;  // the end of session_close: an ABI 1.0 or 1.1 plugin's table
    BOOST_TEST(!find_interface_defect(CSH_BACKEND_INTERFACE_ID, &table).has_value());
}

BOOST_AUTO_TEST_CASE(a_backend_without_exec_is_refused_naming_the_slot) {
    auto table = minimal_backend();
    table.session_exec = nullptr;
    const auto defect = find_interface_defect(CSH_BACKEND_INTERFACE_ID, &table);
    BOOST_TEST_REQUIRE(defect.has_value());
    BOOST_TEST(defect->field == "backend.session_exec");
}

BOOST_AUTO_TEST_CASE(unknown_interface_ids_are_left_to_their_caller) {
    const uint32_t table = 0;
    BOOST_TEST(!find_interface_defect("example.custom/1", &table).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
