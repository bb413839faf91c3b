// The auth-static test plugin, loaded from its .so and driven through the
// C ABI with FakeHost.
#define BOOST_TEST_MODULE unit_auth_static
#include "plugin_paths.hpp"

#include <containerssh/sdk/testing/fake_connection.hpp>
#include <containerssh/sdk/testing/fake_host.hpp>
#include <containerssh/sdk/testing/plugin_instance.hpp>
#include <containerssh/sdk/testing/recorders.hpp>

#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>

using namespace csh::sdk::testing;

namespace {

constexpr char kAliceKey[] = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGk1c2VjcmV0a2V5Zm9ydGVzdHMxMjM0NTY3ODkwYWJj";

const std::string kConfig = std::string(R"({
  "password": {"method": "static", "static": {"users": {
      "alice": {"password": "wonderland", "authorizedKeys": [")") + kAliceKey + R"( alice@laptop"]},
      "bob": {"authorizedKeys": []}}}},
  "publicKey": {"method": "static", "static": {"users": {
      "alice": {"authorizedKeys": [")" + kAliceKey + R"( alice@laptop"]}}}},
  "authz": {"method": "static", "static": {"deny": ["mallory"]}},
  "keyboardInteractive": {"method": ""}
})";

struct AuthStaticFixture {
    explicit AuthStaticFixture(const std::string& auth_json = kConfig) {
        host.set_section("auth", auth_json);
        plugin = std::make_unique<PluginInstance>(host, library.descriptor());
        auth = plugin->interface<csh_auth_interface>(CSH_AUTH_INTERFACE_ID);
    }

    AuthAnswer password(const std::string& user, const std::string& password) {
        FakeConnection connection(host, user);
        AuthRecorder recorder;
        auth->password(plugin->get(), &connection.info(),
                       csh_bytes{reinterpret_cast<const uint8_t*>(password.data()), password.size()},
                       recorder.completion());
        BOOST_TEST_REQUIRE(recorder.calls() == 1u);
        return recorder.answer();
    }
    AuthAnswer public_key(const std::string& user, const std::string& key) {
        FakeConnection connection(host, user);
        AuthRecorder recorder;
        auth->public_key(plugin->get(), &connection.info(), csh_str{key.data(), key.size()}, recorder.completion());
        BOOST_TEST_REQUIRE(recorder.calls() == 1u);
        return recorder.answer();
    }
    AuthAnswer authorize(const std::string& user) {
        FakeConnection connection(host, user);
        connection.authenticated_username = user;
        AuthRecorder recorder;
        auth->authorize(plugin->get(), &connection.info(), recorder.completion());
        BOOST_TEST_REQUIRE(recorder.calls() == 1u);
        return recorder.answer();
    }

    FakeHost host;
    SharedObject library{test_plugin_path("auth-static.so")};
    std::unique_ptr<PluginInstance> plugin;
    const csh_auth_interface* auth = nullptr;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(auth_static, AuthStaticFixture)

BOOST_AUTO_TEST_CASE(descriptor_and_methods) {
    const csh_plugin_descriptor* d = library.descriptor();
    BOOST_TEST(std::string(d->id) == "io.containerssh.test.auth.static");
    BOOST_TEST_REQUIRE(d->provides_count == 1u);
    BOOST_TEST(std::string(d->provides[0]) == "auth/static");
    BOOST_TEST_REQUIRE(auth != nullptr);
    BOOST_TEST(auth->methods ==
               (CSH_AUTH_METHOD_PASSWORD | CSH_AUTH_METHOD_PUBLIC_KEY | CSH_AUTH_METHOD_AUTHORIZATION));
}

BOOST_AUTO_TEST_CASE(the_right_password_logs_in_with_metadata) {
    const AuthAnswer answer = password("alice", "wonderland");
    BOOST_TEST(answer.outcome == CSH_AUTH_SUCCESS);
    BOOST_TEST(answer.authenticated_username == "alice");
    BOOST_TEST_REQUIRE(answer.metadata.size() == 1u);
    BOOST_TEST(answer.metadata[0].kind == CSH_METADATA_ENVIRONMENT);
    BOOST_TEST(answer.metadata[0].key == "TEST_AUTH_USER");
    BOOST_TEST(answer.metadata[0].value == "alice");
    BOOST_TEST(!answer.metadata[0].sensitive);
    BOOST_TEST(host.count_code("AUTH_STATIC_PASSWORD_ACCEPTED") == 1u);
    BOOST_TEST(host.misuse().empty());
}

BOOST_AUTO_TEST_CASE(wrong_or_missing_passwords_fail_without_leaking_them) {
    BOOST_TEST(password("alice", "wonderlanD").outcome == CSH_AUTH_FAILURE);
    BOOST_TEST(password("alice", "wonderland!").outcome == CSH_AUTH_FAILURE);
    BOOST_TEST(password("alice", "").outcome == CSH_AUTH_FAILURE);
    BOOST_TEST(password("bob", "").outcome == CSH_AUTH_FAILURE);  // bob has no password
    BOOST_TEST(password("carol", "wonderland").outcome == CSH_AUTH_FAILURE);
    BOOST_TEST(host.count_code("AUTH_STATIC_PASSWORD_REJECTED") == 5u);
    for (const auto& line : host.log_lines()) {
        BOOST_TEST(line.message.find("wonderland") == std::string::npos);
        for (const auto& [key, value] : line.fields) BOOST_TEST(value.find("wonderland") == std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(public_keys_compare_type_and_blob_only) {
    BOOST_TEST(public_key("alice", kAliceKey).outcome == CSH_AUTH_SUCCESS);
    BOOST_TEST(public_key("alice", std::string(kAliceKey) + " other-comment").outcome == CSH_AUTH_SUCCESS);
    std::string other_blob = kAliceKey;
    other_blob.back() = 'd';
    BOOST_TEST(public_key("alice", other_blob).outcome == CSH_AUTH_FAILURE);
    std::string other_type = kAliceKey;
    other_type.replace(0, 11, "ssh-ed448  ");
    BOOST_TEST(public_key("alice", other_type).outcome == CSH_AUTH_FAILURE);
    BOOST_TEST(public_key("bob", kAliceKey).outcome == CSH_AUTH_FAILURE);  // not in the publicKey block
    const AuthAnswer ok = public_key("alice", kAliceKey);
    BOOST_TEST(ok.authenticated_username == "alice");
    BOOST_TEST_REQUIRE(ok.metadata.size() == 1u);
    BOOST_TEST(ok.metadata[0].value == "alice");
}

BOOST_AUTO_TEST_CASE(authorization_refuses_denied_users) {
    BOOST_TEST(authorize("alice").outcome == CSH_AUTH_SUCCESS);
    BOOST_TEST(authorize("mallory").outcome == CSH_AUTH_FAILURE);
    BOOST_TEST(host.count_code("AUTH_STATIC_AUTHZ_DENIED") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(auth_static_config)

BOOST_AUTO_TEST_CASE(an_unknown_user_key_fails_init_naming_the_path) {
    AuthStaticFixture f(R"({"password": {"method": "static", "static": {"users": {"alice": {"pasword": "x"}}}}})");
    BOOST_TEST(f.plugin->init_status() == CSH_FAILED);
    const auto lines = f.host.lines_with_code("AUTH_STATIC_CONFIG_INVALID");
    BOOST_TEST_REQUIRE(lines.size() == 1u);
    BOOST_TEST(lines[0].field("key") == "auth.password.static.users.alice.pasword");
    BOOST_TEST(lines[0].message.find("unknown key") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(nothing_static_fails_init) {
    AuthStaticFixture f(R"({"password": {"method": "webhook"}})");
    BOOST_TEST(f.plugin->init_status() == CSH_FAILED);
    BOOST_TEST(f.host.count_code("AUTH_STATIC_CONFIG_INVALID") == 1u);
}

BOOST_AUTO_TEST_CASE(only_the_configured_methods_are_announced) {
    AuthStaticFixture f(R"({"publicKey": {"method": "static", "static": {"users": {}}}})");
    BOOST_TEST_REQUIRE(f.plugin->init_status() == CSH_OK);
    BOOST_TEST(f.auth->methods == CSH_AUTH_METHOD_PUBLIC_KEY);
}

BOOST_AUTO_TEST_SUITE_END()
