// Linear completions and exception barriers, seen from the host's side of the
// C ABI: every call is answered exactly once, whatever the plugin does.
#include "probe_plugin.hpp"

#include <containerssh/sdk/completion.hpp>
#include <containerssh/sdk/testing/fake_connection.hpp>
#include <containerssh/sdk/testing/fake_host.hpp>
#include <containerssh/sdk/testing/plugin_instance.hpp>
#include <containerssh/sdk/testing/recorders.hpp>

#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>

using namespace csh::sdk::testing;

namespace {

struct ProbeFixture {
    FakeHost host;
    PluginInstance plugin{host, containerssh_plugin_entry()};
    const csh_auth_interface* auth = plugin.interface<csh_auth_interface>(CSH_AUTH_INTERFACE_ID);
    const csh_config_interface* config = plugin.interface<csh_config_interface>(CSH_CONFIG_INTERFACE_ID);

    AuthRecorder password(const std::string& user, const std::string& password = "secret") {
        FakeConnection connection(host, user);
        AuthRecorder recorder;
        const std::string pw = password;
        auth->password(plugin.get(), &connection.info(),
                       csh_bytes{reinterpret_cast<const uint8_t*>(pw.data()), pw.size()}, recorder.completion());
        host.run_until_idle();
        return recorder;
    }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(completions, ProbeFixture)

BOOST_AUTO_TEST_CASE(an_answer_carries_owned_copies_of_the_result) {
    AuthRecorder r = password("alice", "12345");
    BOOST_TEST_REQUIRE(r.calls() == 1u);
    BOOST_TEST(r.answer().outcome == CSH_AUTH_SUCCESS);
    BOOST_TEST(r.answer().authenticated_username == "alice-ok");
    BOOST_TEST_REQUIRE(r.answer().metadata.size() == 1u);
    BOOST_TEST(r.answer().metadata[0].key == "password-length");
    BOOST_TEST(r.answer().metadata[0].value == "5");
    BOOST_TEST(r.answer().metadata[0].sensitive);
    BOOST_TEST(host.misuse().empty());
}

BOOST_AUTO_TEST_CASE(an_exception_is_caught_and_answers_unavailable) {
    AuthRecorder r = password("throw");
    BOOST_TEST_REQUIRE(r.calls() == 1u);
    BOOST_TEST(r.answer().outcome == CSH_AUTH_UNAVAILABLE);
    BOOST_TEST(r.answer().reason == "the plugin failed with an exception");
    const auto lines = host.lines_with_code(probe::codes::PROBE_INTERNAL_ERROR);
    BOOST_TEST_REQUIRE(lines.size() == 1u);  // the barrier's line, not a "forgotten" one too
    BOOST_TEST(lines[0].message.find("the probe was asked to throw") != std::string::npos);
    BOOST_TEST(lines[0].field("where") == "auth.password");
    BOOST_TEST(lines[0].connection != nullptr);
}

BOOST_AUTO_TEST_CASE(an_sdk_error_is_logged_with_its_own_code) {
    AuthRecorder r = password("throw-coded");
    BOOST_TEST_REQUIRE(r.calls() == 1u);
    BOOST_TEST(r.answer().outcome == CSH_AUTH_UNAVAILABLE);
    BOOST_TEST(host.count_code(probe::codes::PROBE_REFUSED_LOUDLY) == 1u);
    BOOST_TEST(host.count_code(probe::codes::PROBE_INTERNAL_ERROR) == 0u);
}

BOOST_AUTO_TEST_CASE(a_forgotten_completion_is_answered_by_its_destructor) {
    AuthRecorder r = password("forget");
    BOOST_TEST_REQUIRE(r.calls() == 1u);
    BOOST_TEST(r.answer().outcome == CSH_AUTH_UNAVAILABLE);
    BOOST_TEST(r.answer().reason == "the plugin dropped the request without answering");
    const auto lines = host.lines_with_code(probe::codes::PROBE_INTERNAL_ERROR);
    BOOST_TEST_REQUIRE(lines.size() == 1u);
    BOOST_TEST(lines[0].field("completion") == "auth.password");

    FakeConnection connection(host, "forget");
    ConfigRecorder config_answer;
    config->connection_config(plugin.get(), &connection.info(), config_answer.completion());
    BOOST_TEST_REQUIRE(config_answer.calls() == 1u);
    BOOST_TEST(config_answer.answer().status == CSH_FAILED);
    BOOST_TEST(host.count_code(probe::codes::PROBE_INTERNAL_ERROR) == 2u);
}

BOOST_AUTO_TEST_CASE(a_second_completion_is_ignored_and_logged) {
    AuthRecorder r = password("twice");
    BOOST_TEST_REQUIRE(r.calls() == 1u);
    BOOST_TEST(r.answer().authenticated_username == "first");
    const auto lines = host.lines_with_code(probe::codes::PROBE_INTERNAL_ERROR);
    BOOST_TEST_REQUIRE(lines.size() == 1u);
    BOOST_TEST(lines[0].message.find("more than once") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_completion_may_be_answered_later_from_a_posted_task) {
    FakeConnection connection(host, "later");
    AuthRecorder r;
    auth->password(plugin.get(), &connection.info(), csh_bytes{nullptr, 0}, r.completion());
    BOOST_TEST(r.calls() == 0u);  // posted, not run yet
    host.run_until_idle();
    BOOST_TEST_REQUIRE(r.calls() == 1u);
    BOOST_TEST(r.answer().authenticated_username == "later-user");
    BOOST_TEST(host.count_code(probe::codes::PROBE_INTERNAL_ERROR) == 0u);
}

BOOST_AUTO_TEST_CASE(methods_not_offered_answer_failure) {
    FakeConnection connection(host, "alice");
    AuthRecorder r;
    auth->public_key(plugin.get(), &connection.info(), csh_str{"ssh-ed25519 AAAA", 16}, r.completion());
    BOOST_TEST_REQUIRE(r.calls() == 1u);
    BOOST_TEST(r.answer().outcome == CSH_AUTH_FAILURE);
}

BOOST_AUTO_TEST_CASE(config_answers_through_its_own_completion) {
    FakeConnection connection(host, "alice");
    ConfigRecorder r;
    config->connection_config(plugin.get(), &connection.info(), r.completion());
    BOOST_TEST_REQUIRE(r.calls() == 1u);
    BOOST_TEST(r.answer().status == CSH_OK);
    BOOST_TEST(r.answer().config_json == "{\"docker\":{}}");
}

BOOST_AUTO_TEST_CASE(a_throwing_metrics_start_reports_failure) {
    FakeHost other;
    other.set_section("probe", R"({"failStart": true})");
    PluginInstance failing(other, containerssh_plugin_entry());
    const auto* metrics = failing.interface<csh_metrics_interface>(CSH_METRICS_INTERFACE_ID);
    BOOST_TEST_REQUIRE(metrics != nullptr);
    BOOST_TEST(metrics->start(failing.get()) == CSH_FAILED);
    const auto lines = other.lines_with_code(probe::codes::PROBE_INTERNAL_ERROR);
    BOOST_TEST_REQUIRE(lines.size() == 1u);
    BOOST_TEST(lines[0].field("where") == "metrics.start");
}

namespace {

// The host's side of keyboard-interactive: records the question, answers later.
struct FakePrompt {
    std::string question;
    bool echo = false;
    csh_kbdint_answer_fn answered = nullptr;
    void* user = nullptr;

    csh_kbdint_prompt prompt() { return csh_kbdint_prompt{&ask, this}; }
    static void ask(void* context, csh_str, csh_str, const csh_kbdint_question* questions, size_t count,
                    csh_kbdint_answer_fn answered, void* user) {
        auto* self = static_cast<FakePrompt*>(context);
        if (count > 0) {
            self->question.assign(questions[0].text.data, questions[0].text.size);
            self->echo = questions[0].echo != 0;
        }
        self->answered = answered;
        self->user = user;
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(keyboard_interactive_answers_come_back_through_the_prompt) {
    for (const char* answer : std::initializer_list<const char*>{"42", "41", nullptr}) {
        FakeConnection connection(host, "alice");
        FakePrompt prompt;
        AuthRecorder r;
        auth->keyboard_interactive(plugin.get(), &connection.info(), prompt.prompt(), r.completion());
        BOOST_TEST(r.calls() == 0u);
        BOOST_TEST(prompt.question == "The answer?");
        BOOST_TEST(prompt.echo);
        BOOST_TEST_REQUIRE(prompt.answered != nullptr);
        if (answer != nullptr) {
            const csh_str answers[] = {{answer, 2}};
            prompt.answered(prompt.user, answers, 1);
        } else {
            prompt.answered(prompt.user, nullptr, 0);  // the client went away
        }
        BOOST_TEST_REQUIRE(r.calls() == 1u);
        const csh_auth_outcome expected = answer == nullptr ? CSH_AUTH_UNAVAILABLE
                                          : std::string(answer) == "42" ? CSH_AUTH_SUCCESS
                                                                        : CSH_AUTH_FAILURE;
        BOOST_TEST(r.answer().outcome == expected);
    }
    BOOST_TEST(host.count_code(probe::codes::PROBE_INTERNAL_ERROR) == 0u);
}

BOOST_AUTO_TEST_CASE(status_completion_rules_hold_outside_plugins_too) {
    csh::sdk::Host sdk_host(host.host(), probe::codes::PROBE_INTERNAL_ERROR);
    StatusRecorder dropped, doubled, moved;
    { csh::sdk::StatusCompletion c(sdk_host, dropped.completion(), "test.dropped"); }
    {
        csh::sdk::StatusCompletion c(sdk_host, doubled.completion(), "test.doubled");
        c.fail("first");
        c.ok();
    }
    {
        csh::sdk::StatusCompletion c(sdk_host, moved.completion(), "test.moved");
        csh::sdk::StatusCompletion taken(std::move(c));
        BOOST_TEST(!c.pending());
        BOOST_TEST(taken.pending());
        taken.ok();
    }
    BOOST_TEST_REQUIRE(dropped.calls() == 1u);
    BOOST_TEST(dropped.answer().status == CSH_FAILED);
    BOOST_TEST_REQUIRE(doubled.calls() == 1u);
    BOOST_TEST(doubled.answer().status == CSH_FAILED);
    BOOST_TEST(doubled.answer().reason == "first");
    BOOST_TEST_REQUIRE(moved.calls() == 1u);
    BOOST_TEST(moved.answer().status == CSH_OK);
    BOOST_TEST(host.count_code(probe::codes::PROBE_INTERNAL_ERROR) == 2u);  // dropped + doubled
}

BOOST_AUTO_TEST_SUITE_END()
