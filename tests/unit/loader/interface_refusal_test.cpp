// Interface tables of a loaded, initialised plugin are checked when the host
// asks for them (bad_interfaces fixture: one defect per interface kind).
#include "loader_fixtures.hpp"

using namespace csh::plugins;
using namespace csh::plugins::test;

namespace {

struct BadInterfacesSetup : LoaderSetup {
    BadInterfacesSetup() {
        BOOST_TEST_REQUIRE(registry.discover({CSH_FIXTURE_DIR(BAD_INTERFACES)}).empty());
        BOOST_TEST_REQUIRE(!registry.init(*registry.plugins()[0], host_without_services()).has_value());
    }
    Plugin& plugin() { return *registry.plugins()[0]; }
};

void check_slot_missing(Plugin& plugin, const char* interface_id, const char* slot) {
    Refusal error;
    BOOST_TEST(plugin.interface(interface_id, &error) == nullptr);
    BOOST_TEST(error.code == "CORE_PLUGIN_SLOT_MISSING");
    BOOST_TEST(error.file == CSH_FIXTURE_FILE(BAD_INTERFACES));
    BOOST_TEST(contains(error.message, CSH_FIXTURE_FILE(BAD_INTERFACES).string()));
    BOOST_TEST(contains(error.message, interface_id));
    BOOST_TEST(contains(error.message, slot));
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(interface_refusals, BadInterfacesSetup)

BOOST_AUTO_TEST_CASE(backend_with_a_null_required_slot) {
    check_slot_missing(plugin(), CSH_BACKEND_INTERFACE_ID, "backend.session_exec is NULL");
}

BOOST_AUTO_TEST_CASE(auth_with_a_null_slot_for_an_advertised_method) {
    check_slot_missing(plugin(), CSH_AUTH_INTERFACE_ID, "auth.public_key is NULL");
}

BOOST_AUTO_TEST_CASE(config_table_smaller_than_version_1) {
    check_slot_missing(plugin(), CSH_CONFIG_INTERFACE_ID, "config.struct_size is 4 bytes");
}

BOOST_AUTO_TEST_CASE(audit_with_a_null_required_slot) {
    check_slot_missing(plugin(), CSH_AUDIT_INTERFACE_ID, "audit.stream_close is NULL");
}

BOOST_AUTO_TEST_CASE(metrics_with_a_null_required_slot) {
    check_slot_missing(plugin(), CSH_METRICS_INTERFACE_ID, "metrics.stop is NULL");
}

BOOST_AUTO_TEST_SUITE_END()
