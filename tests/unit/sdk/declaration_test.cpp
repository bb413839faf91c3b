// CSH_DECLARE_PLUGIN and messages.def: the descriptor, the code table and
// constants, the interface tables and init/deinit, seen through the C ABI.
#include "probe_plugin.hpp"

#include <containerssh/sdk/testing/fake_host.hpp>
#include <containerssh/sdk/testing/plugin_instance.hpp>

#include <boost/test/unit_test.hpp>

#include <cstring>
#include <string>
#include <vector>

using csh::sdk::testing::FakeHost;
using csh::sdk::testing::PluginInstance;

BOOST_AUTO_TEST_SUITE(declaration)

BOOST_AUTO_TEST_CASE(descriptor_fields_are_filled_in) {
    const csh_plugin_descriptor* d = containerssh_plugin_entry();
    BOOST_TEST(d == containerssh_plugin_entry());  // constant, no side effects
    BOOST_TEST(d->magic == CSH_PLUGIN_MAGIC);
    BOOST_TEST(d->struct_size == sizeof(csh_plugin_descriptor));
    BOOST_TEST(d->abi_major == CSH_ABI_MAJOR);
    BOOST_TEST(d->abi_minor == CSH_ABI_MINOR);
    BOOST_TEST(d->min_host_minor == 0);
    BOOST_TEST(std::string(d->id) == "io.containerssh.test.probe");
    BOOST_TEST(std::string(d->name) == "Probe");
    BOOST_TEST(std::string(d->version) == "0.1.2");
    BOOST_TEST(std::string(d->description) == "A plugin for the SDK's tests.");
    BOOST_TEST_REQUIRE(d->provides_count == 2u);
    BOOST_TEST(std::string(d->provides[0]) == "auth/probe");
    BOOST_TEST(std::string(d->provides[1]) == "config/probe");
    BOOST_TEST(d->message_codes == probe::kMessageTable);
    BOOST_TEST(d->message_code_count == std::size(probe::kMessageTable));
    BOOST_TEST(d->init != nullptr);
    BOOST_TEST(d->deinit != nullptr);
    BOOST_TEST(d->get_interface != nullptr);
}

BOOST_AUTO_TEST_CASE(code_constants_and_table_agree) {
    // A third expansion of the same file lists the constants in file order.
    const std::vector<const char*> constants = {
#define CSH_MESSAGE(CODE, LEVEL, EXPLANATION) probe::codes::CODE,
#include "probe_messages.def"
#undef CSH_MESSAGE
    };
    BOOST_TEST_REQUIRE(constants.size() == std::size(probe::kMessageTable));
    for (size_t i = 0; i < constants.size(); ++i) {
        BOOST_TEST(std::string(constants[i]) == probe::kMessageTable[i].code);
    }
    BOOST_TEST(std::string(probe::codes::PROBE_REFUSED_LOUDLY) == "PROBE_REFUSED_LOUDLY");
    BOOST_TEST(probe::kMessageTable[0].level == CSH_LOG_DEBUG);
    BOOST_TEST(probe::kMessageTable[1].level == CSH_LOG_ERROR);
    BOOST_TEST(probe::kMessageTable[3].level == CSH_LOG_CRITICAL);
    BOOST_TEST(std::string(probe::kMessageTable[2].explanation) == "The probe threw a csh::sdk::Error carrying this code.");
}

BOOST_AUTO_TEST_CASE(internal_error_code_is_the_first_error_level_code) {
    using csh::sdk::detail::internal_error_code;
    BOOST_TEST(std::string(internal_error_code(probe::kMessageTable, std::size(probe::kMessageTable))) ==
               "PROBE_INTERNAL_ERROR");
    const csh_message_code no_error[] = {{"A_DEBUG", CSH_LOG_DEBUG, ""}, {"A_CRIT", CSH_LOG_CRITICAL, ""}};
    BOOST_TEST(std::string(internal_error_code(no_error, 2)) == "A_CRIT");
    const csh_message_code only_info[] = {{"B_INFO", CSH_LOG_INFO, ""}};
    BOOST_TEST(std::string(internal_error_code(only_info, 1)) == "B_INFO");
    BOOST_TEST(internal_error_code(nullptr, 0) == nullptr);
}

BOOST_AUTO_TEST_CASE(init_builds_the_instance_and_interfaces_are_served) {
    FakeHost host;
    {
        PluginInstance plugin(host, containerssh_plugin_entry());
        BOOST_TEST_REQUIRE(plugin.init_status() == CSH_OK);
        BOOST_TEST(host.count_code(probe::codes::PROBE_READY) == 1u);

        const auto* auth = plugin.interface<csh_auth_interface>(CSH_AUTH_INTERFACE_ID);
        BOOST_TEST_REQUIRE(auth != nullptr);
        BOOST_TEST(auth->struct_size == sizeof(csh_auth_interface));
        BOOST_TEST(auth->methods ==
                   (CSH_AUTH_METHOD_PASSWORD | CSH_AUTH_METHOD_KEYBOARD_INTERACTIVE | CSH_AUTH_METHOD_AUTHORIZATION));
        BOOST_TEST(auth->password != nullptr);
        BOOST_TEST(auth->public_key != nullptr);
        BOOST_TEST(auth->keyboard_interactive != nullptr);
        BOOST_TEST(auth->authorize != nullptr);
        BOOST_TEST(auth->connection_closed != nullptr);

        const auto* config = plugin.interface<csh_config_interface>(CSH_CONFIG_INTERFACE_ID);
        BOOST_TEST_REQUIRE(config != nullptr);
        BOOST_TEST(config->connection_config != nullptr);

        const auto* metrics = plugin.interface<csh_metrics_interface>(CSH_METRICS_INTERFACE_ID);
        BOOST_TEST_REQUIRE(metrics != nullptr);
        BOOST_TEST(metrics->start(plugin.get()) == CSH_OK);
        metrics->stop(plugin.get());

        BOOST_TEST(plugin.interface<csh_backend_interface>(CSH_BACKEND_INTERFACE_ID) == nullptr);
        BOOST_TEST(plugin.interface<csh_audit_interface>(CSH_AUDIT_INTERFACE_ID) == nullptr);
        BOOST_TEST(containerssh_plugin_entry()->get_interface(plugin.get(), "containerssh.auth/2") == nullptr);
    }
    BOOST_TEST(host.misuse().empty());
}

BOOST_AUTO_TEST_CASE(a_throwing_constructor_fails_init_with_its_code) {
    FakeHost host;
    host.set_section("probe", R"({"failInit": true})");
    PluginInstance plugin(host, containerssh_plugin_entry());
    BOOST_TEST(plugin.init_status() == CSH_FAILED);
    const auto lines = host.lines_with_code(probe::codes::PROBE_INIT_REFUSED);
    BOOST_TEST_REQUIRE(lines.size() == 1u);
    BOOST_TEST(lines[0].message == "told to fail");
    BOOST_TEST(lines[0].field("where") == "plugin.init");
    BOOST_TEST(lines[0].field("key") == "probe.failInit");
    BOOST_TEST(host.misuse().empty());
}

BOOST_AUTO_TEST_SUITE_END()
