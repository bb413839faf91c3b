// A correct plugin through its whole life: load, codes, init, interface, deinit.
#include <stdlib.h>

#include <cstring>
#include <memory>

#include "file_contents.hpp"
#include "loader_fixtures.hpp"
#include "temp_dir.hpp"

using namespace csh::plugins;
using namespace csh::plugins::test;
using csh::test::read_file;
using csh::test::TempDir;

namespace {

// Points the good fixture's event log (CSH_FIXTURE_EVENT_LOG) at a scratch file
// for the life of the object.
class EventLog {
public:
    EventLog() : file_(scratch_.path() / "events.log") { setenv("CSH_FIXTURE_EVENT_LOG", file_.c_str(), 1); }
    ~EventLog() { unsetenv("CSH_FIXTURE_EVENT_LOG"); }
    std::string text() const { return read_file(file_); }

private:
    TempDir scratch_;
    std::filesystem::path file_;
};

Plugin& load_good(Registry& registry) {
    BOOST_TEST_REQUIRE(registry.discover({CSH_FIXTURE_DIR(GOOD)}).empty());
    BOOST_TEST_REQUIRE(registry.plugins().size() == 1u);
    return *registry.plugins()[0];
}

struct AuthAnswer {
    int calls = 0;
    csh_auth_outcome outcome = CSH_AUTH_UNAVAILABLE;
};

void record_answer(void* context, const csh_auth_result* result) {
    auto* answer = static_cast<AuthAnswer*>(context);
    ++answer->calls;
    answer->outcome = result->outcome;
}

AuthAnswer try_password(const csh_auth_interface& auth, csh_plugin_instance* instance, const char* password) {
    AuthAnswer answer;
    csh_connection_info connection{};
    connection.struct_size = sizeof connection;
    const csh_bytes bytes{reinterpret_cast<const uint8_t*>(password), std::strlen(password)};
    auth.password(instance, &connection, bytes, csh_auth_completion{record_answer, &answer});
    return answer;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(good_plugin, LoaderSetup)

BOOST_AUTO_TEST_CASE(loads_with_its_descriptor_and_registers_its_codes_without_init) {
    Plugin& plugin = load_good(registry);
    BOOST_TEST(plugin.id() == "io.containerssh.test.good");
    BOOST_TEST(plugin.path() == CSH_FIXTURE_FILE(GOOD));
    BOOST_TEST(std::string(plugin.descriptor().version) == "1.0.0");
    BOOST_TEST(!plugin.initialised());
    BOOST_TEST(plugin.instance() == nullptr);
    BOOST_TEST(plugin.provides("auth/fixture"));
    BOOST_TEST(plugin.provides("test/good"));
    BOOST_TEST(!plugin.provides("auth/webhook"));
    for (const char* code : {"FIXTURE_GOOD_STARTED", "FIXTURE_GOOD_STOPPED"}) {
        const auto* info = codes.find(code);
        BOOST_TEST_REQUIRE(info != nullptr, code << " is registered");
        BOOST_TEST(info->module == "io.containerssh.test.good");
    }
    BOOST_TEST(codes.find("FIXTURE_GOOD_STARTED")->level == CSH_LOG_INFO);
}

BOOST_AUTO_TEST_CASE(find_provider_returns_the_first_plugin_providing_it) {
    Plugin& plugin = load_good(registry);
    BOOST_TEST(registry.find_provider("auth/fixture") == &plugin);
    BOOST_TEST(registry.find_provider("test/fixture") == nullptr);
    BOOST_TEST(registry.discover({CSH_FIXTURE_DIR(INIT_FAILS)}).empty());
    // Both provide test/...; the lookup of a later plugin's name finds that one.
    BOOST_TEST(registry.find_provider("test/fixture") == registry.plugins()[1].get());
    BOOST_TEST(registry.find_provider("backend/docker") == nullptr);
}

BOOST_AUTO_TEST_CASE(initialises_with_a_host_offering_no_service_and_serves_auth) {
    EventLog events;
    Plugin& plugin = load_good(registry);
    BOOST_TEST(!registry.init(plugin, host_without_services()).has_value());
    BOOST_TEST(plugin.initialised());
    BOOST_TEST(plugin.instance() != nullptr);
    BOOST_TEST(events.text() == "init log-service=none\n");

    Refusal error;
    const auto* auth = static_cast<const csh_auth_interface*>(plugin.interface(CSH_AUTH_INTERFACE_ID, &error));
    BOOST_TEST_REQUIRE(auth != nullptr, error.message);
    BOOST_TEST(auth->methods == CSH_AUTH_METHOD_PASSWORD);
    const AuthAnswer accepted = try_password(*auth, plugin.instance(), "fixture-password");
    BOOST_TEST(accepted.calls == 1);
    BOOST_TEST(accepted.outcome == CSH_AUTH_SUCCESS);
    const AuthAnswer refused = try_password(*auth, plugin.instance(), "wrong");
    BOOST_TEST(refused.calls == 1);
    BOOST_TEST(refused.outcome == CSH_AUTH_FAILURE);
}

BOOST_AUTO_TEST_CASE(second_init_is_a_no_op) {
    EventLog events;
    Plugin& plugin = load_good(registry);
    BOOST_TEST(!registry.init(plugin, host_without_services()).has_value());
    csh_plugin_instance* first = plugin.instance();
    BOOST_TEST(!registry.init(plugin, host_without_services()).has_value());
    BOOST_TEST(plugin.instance() == first);
    BOOST_TEST(events.text() == "init log-service=none\n");
}

BOOST_AUTO_TEST_CASE(interface_it_does_not_implement_is_missing) {
    Plugin& plugin = load_good(registry);
    BOOST_TEST_REQUIRE(!registry.init(plugin, host_without_services()).has_value());
    Refusal error;
    BOOST_TEST(plugin.interface(CSH_BACKEND_INTERFACE_ID, &error) == nullptr);
    BOOST_TEST(error.code == "CORE_PLUGIN_INTERFACE_MISSING");
    BOOST_TEST(error.file == CSH_FIXTURE_FILE(GOOD));
    BOOST_TEST(contains(error.message, CSH_FIXTURE_FILE(GOOD).string()));
    BOOST_TEST(contains(error.message, CSH_BACKEND_INTERFACE_ID));
    // The error is optional.
    BOOST_TEST(plugin.interface(CSH_BACKEND_INTERFACE_ID, nullptr) == nullptr);
}

BOOST_AUTO_TEST_CASE(interface_before_init_is_refused_without_calling_the_plugin) {
    Plugin& plugin = load_good(registry);
    Refusal error;
    BOOST_TEST(plugin.interface(CSH_AUTH_INTERFACE_ID, &error) == nullptr);
    BOOST_TEST(error.code == "CORE_PLUGIN_INTERFACE_MISSING");
    BOOST_TEST(contains(error.message, "before the plugin was initialised"));
}

BOOST_AUTO_TEST_CASE(deinit_all_deinitialises_once_and_keeps_the_plugin_loaded) {
    EventLog events;
    Plugin& plugin = load_good(registry);
    BOOST_TEST_REQUIRE(!registry.init(plugin, host_without_services()).has_value());
    registry.deinit_all();
    BOOST_TEST(!plugin.initialised());
    BOOST_TEST(plugin.instance() == nullptr);
    registry.deinit_all();
    BOOST_TEST(events.text() == "init log-service=none\ndeinit\n");
    BOOST_TEST(registry.plugins().size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(registry_destruction_deinitialises_exactly_once) {
    EventLog events;
    {
        LoaderSetup setup;
        Plugin& plugin = load_good(setup.registry);
        BOOST_TEST_REQUIRE(!setup.registry.init(plugin, host_without_services()).has_value());
    }
    BOOST_TEST(events.text() == "init log-service=none\ndeinit\n");
}

BOOST_AUTO_TEST_CASE(deinit_all_then_destruction_still_deinitialises_once) {
    EventLog events;
    {
        LoaderSetup setup;
        Plugin& plugin = load_good(setup.registry);
        BOOST_TEST_REQUIRE(!setup.registry.init(plugin, host_without_services()).has_value());
        setup.registry.deinit_all();
    }
    BOOST_TEST(events.text() == "init log-service=none\ndeinit\n");
}

BOOST_AUTO_TEST_CASE(failed_init_is_refused_and_never_deinitialised) {
    // Its failing init has no instance to deinitialise; the good plugin beside
    // it is deinitialised once, by the registry's destruction.
    EventLog events;
    {
        LoaderSetup setup;
        BOOST_TEST_REQUIRE(setup.registry.discover({CSH_FIXTURE_DIR(GOOD), CSH_FIXTURE_DIR(INIT_FAILS)}).empty());
        BOOST_TEST_REQUIRE(!setup.registry.init(*setup.registry.plugins()[0], host_without_services()));
        const auto refusal = setup.registry.init(*setup.registry.plugins()[1], host_without_services());
        BOOST_TEST_REQUIRE(refusal.has_value());
        BOOST_TEST(refusal->code == "CORE_PLUGIN_INIT_FAILED");
        BOOST_TEST(refusal->file == CSH_FIXTURE_FILE(INIT_FAILS));
        BOOST_TEST(contains(refusal->message, CSH_FIXTURE_FILE(INIT_FAILS).string()));
        BOOST_TEST(contains(refusal->message, "io.containerssh.test.init-fails"));
        BOOST_TEST(contains(refusal->message, "status 1"));
        BOOST_TEST(!setup.registry.plugins()[1]->initialised());
    }
    BOOST_TEST(events.text() == "init log-service=none\ndeinit\n");
}
