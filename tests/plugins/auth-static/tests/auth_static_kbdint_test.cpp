// auth-static's keyboard-interactive method, loaded from its .so and driven
// through the C ABI with FakeHost and a scripted host-side prompt.
#include "plugin_paths.hpp"

#include <containerssh/sdk/testing/fake_connection.hpp>
#include <containerssh/sdk/testing/fake_host.hpp>
#include <containerssh/sdk/testing/plugin_instance.hpp>
#include <containerssh/sdk/testing/recorders.hpp>

#include <boost/test/unit_test.hpp>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

using namespace csh::sdk::testing;

namespace {

const std::string kConfig = R"({
  "keyboardInteractive": {"method": "static", "static": {"users": {
      "alice": {"password": "wonderland", "code": "424242"},
      "bob": {"password": "builder"}}}}
})";

// One round of questions as the host received it.
struct Round {
    std::string name;
    std::string instruction;
    std::vector<std::pair<std::string, bool>> questions;  // text, echo
};

// The host's side of keyboard-interactive: records every round and keeps the
// plugin's answer callback until the test answers.
class ScriptedPrompt {
public:
    csh_kbdint_prompt prompt() { return csh_kbdint_prompt{&ask, this}; }
    const std::vector<Round>& rounds() const { return rounds_; }
    bool waiting() const { return answered_ != nullptr; }

    // Answers the round in progress; std::nullopt = the client went away.
    void answer(const std::optional<std::vector<std::string>>& answers) {
        BOOST_TEST_REQUIRE(waiting());
        const auto answered = std::exchange(answered_, nullptr);
        if (!answers) {
            answered(user_, nullptr, 0);
            return;
        }
        std::vector<csh_str> views;
        for (const auto& a : *answers) views.push_back(csh_str{a.data(), a.size()});
        // NULL means "the client went away": zero answers still point somewhere.
        static const csh_str kNoAnswer{"", 0};
        answered(user_, views.empty() ? &kNoAnswer : views.data(), views.size());
    }

private:
    static void ask(void* context, csh_str name, csh_str instruction, const csh_kbdint_question* questions,
                    size_t count, csh_kbdint_answer_fn answered, void* user) {
        auto* self = static_cast<ScriptedPrompt*>(context);
        Round round{std::string(name.data, name.size), std::string(instruction.data, instruction.size), {}};
        for (size_t i = 0; i < count; ++i) {
            round.questions.emplace_back(std::string(questions[i].text.data, questions[i].text.size),
                                         questions[i].echo != 0);
        }
        self->rounds_.push_back(std::move(round));
        self->answered_ = answered;
        self->user_ = user;
    }

    std::vector<Round> rounds_;
    csh_kbdint_answer_fn answered_ = nullptr;
    void* user_ = nullptr;
};

using Answers = std::optional<std::vector<std::string>>;

struct KbdIntFixture {
    explicit KbdIntFixture(const std::string& auth_json = kConfig) {
        host.set_section("auth", auth_json);
        plugin = std::make_unique<PluginInstance>(host, library.descriptor());
        auth = plugin->interface<csh_auth_interface>(CSH_AUTH_INTERFACE_ID);
    }

    // Runs one login, answering round i with `rounds[i]` while the plugin asks.
    // Returns the completion's answer; `prompt` keeps what the host was asked.
    AuthAnswer login(const std::string& user, const std::vector<Answers>& rounds) {
        FakeConnection connection(host, user);
        AuthRecorder recorder;
        auth->keyboard_interactive(plugin->get(), &connection.info(), prompt.prompt(), recorder.completion());
        for (const auto& answers : rounds) {
            BOOST_TEST_REQUIRE(recorder.calls() == 0u);  // no decision before the rounds are done
            prompt.answer(answers);
        }
        BOOST_TEST(!prompt.waiting());
        BOOST_TEST_REQUIRE(recorder.calls() == 1u);
        return recorder.answer();
    }

    // No log line mentions any of the configured secrets.
    void expect_no_secret_logged() const {
        for (const auto& line : host.log_lines()) {
            for (const char* secret : {"wonderland", "424242", "builder"}) {
                BOOST_TEST(line.message.find(secret) == std::string::npos);
                for (const auto& [key, value] : line.fields) BOOST_TEST(value.find(secret) == std::string::npos);
            }
        }
    }

    FakeHost host;
    SharedObject library{test_plugin_path("auth-static.so")};
    std::unique_ptr<PluginInstance> plugin;
    const csh_auth_interface* auth = nullptr;
    ScriptedPrompt prompt;
};

Answers one(const std::string& answer) { return std::vector<std::string>{answer}; }

}  // namespace

BOOST_FIXTURE_TEST_SUITE(auth_static_kbdint, KbdIntFixture)

BOOST_AUTO_TEST_CASE(the_method_is_announced_when_configured) {
    BOOST_TEST_REQUIRE(plugin->init_status() == CSH_OK);
    BOOST_TEST_REQUIRE(auth != nullptr);
    BOOST_TEST(auth->methods == CSH_AUTH_METHOD_KEYBOARD_INTERACTIVE);
    const auto configured = host.lines_with_code("AUTH_STATIC_CONFIGURED");
    BOOST_TEST_REQUIRE(configured.size() == 1u);
    BOOST_TEST(configured[0].field("keyboardInteractive") == "yes");
}

BOOST_AUTO_TEST_CASE(two_rounds_ask_password_then_code) {
    const AuthAnswer answer = login("alice", {one("wonderland"), one("424242")});
    BOOST_TEST(answer.outcome == CSH_AUTH_SUCCESS);
    BOOST_TEST(answer.authenticated_username == "alice");
    BOOST_TEST_REQUIRE(answer.metadata.size() == 1u);
    BOOST_TEST(answer.metadata[0].key == "TEST_AUTH_USER");
    BOOST_TEST(answer.metadata[0].value == "alice");

    const auto& rounds = prompt.rounds();
    BOOST_TEST_REQUIRE(rounds.size() == 2u);
    BOOST_TEST(rounds[0].instruction == "Static test login");
    BOOST_TEST_REQUIRE(rounds[0].questions.size() == 1u);
    BOOST_TEST(rounds[0].questions[0].first == "Password: ");
    BOOST_TEST(!rounds[0].questions[0].second);  // the password is not echoed
    BOOST_TEST_REQUIRE(rounds[1].questions.size() == 1u);
    BOOST_TEST(rounds[1].questions[0].first == "Code: ");
    BOOST_TEST(rounds[1].questions[0].second);  // the code is echoed

    BOOST_TEST(host.count_code("AUTH_STATIC_KBDINT_ACCEPTED") == 1u);
    BOOST_TEST(host.misuse().empty());
    expect_no_secret_logged();
}

BOOST_AUTO_TEST_CASE(any_wrong_answer_fails_after_both_rounds) {
    const AuthAnswer wrong_code = login("alice", {one("wonderland"), one("424243")});
    BOOST_TEST(wrong_code.outcome == CSH_AUTH_FAILURE);
    BOOST_TEST(wrong_code.reason == "the code does not match");
    const AuthAnswer wrong_password = login("alice", {one("wonderlanD"), one("424242")});
    BOOST_TEST(wrong_password.outcome == CSH_AUTH_FAILURE);
    BOOST_TEST(wrong_password.reason == "the password does not match");
    const AuthAnswer swapped = login("alice", {one("424242"), one("wonderland")});
    BOOST_TEST(swapped.outcome == CSH_AUTH_FAILURE);
    BOOST_TEST(swapped.reason == "neither the password nor the code matches");
    const AuthAnswer empty = login("alice", {one(""), one("")});
    BOOST_TEST(empty.outcome == CSH_AUTH_FAILURE);
    BOOST_TEST(prompt.rounds().size() == 8u);  // every attempt went through both rounds
    BOOST_TEST(host.count_code("AUTH_STATIC_KBDINT_REJECTED") == 4u);
    BOOST_TEST(host.count_code("AUTH_STATIC_KBDINT_ACCEPTED") == 0u);
    expect_no_secret_logged();
}

BOOST_AUTO_TEST_CASE(unknown_users_get_the_same_two_rounds_and_fail) {
    const AuthAnswer carol = login("carol", {one("wonderland"), one("424242")});
    BOOST_TEST(carol.outcome == CSH_AUTH_FAILURE);
    BOOST_TEST(carol.reason == "no such user");
    // bob has a password but no code: he cannot log in this way.
    const AuthAnswer bob = login("bob", {one("builder"), one("")});
    BOOST_TEST(bob.outcome == CSH_AUTH_FAILURE);
    BOOST_TEST(bob.reason == "no such user");
    const auto& rounds = prompt.rounds();
    BOOST_TEST_REQUIRE(rounds.size() == 4u);
    BOOST_TEST(rounds[0].questions[0].first == "Password: ");
    BOOST_TEST(rounds[1].questions[0].first == "Code: ");
    const auto refused = host.lines_with_code("AUTH_STATIC_KBDINT_REJECTED");
    BOOST_TEST_REQUIRE(refused.size() == 2u);
    BOOST_TEST(refused[0].field("user") == "carol");
    expect_no_secret_logged();
}

BOOST_AUTO_TEST_CASE(a_client_that_goes_away_gets_a_failure) {
    const AuthAnswer in_first_round = login("alice", {std::nullopt});
    BOOST_TEST(in_first_round.outcome == CSH_AUTH_FAILURE);
    BOOST_TEST(in_first_round.reason == "the client went away");
    const AuthAnswer in_second_round = login("alice", {one("wonderland"), std::nullopt});
    BOOST_TEST(in_second_round.outcome == CSH_AUTH_FAILURE);
    BOOST_TEST(in_second_round.reason == "the client went away");
    BOOST_TEST(prompt.rounds().size() == 3u);  // no round is asked after the client left
    BOOST_TEST(host.misuse().empty());
}

BOOST_AUTO_TEST_CASE(the_wrong_number_of_answers_fails) {
    const AuthAnswer two = login("alice", {std::vector<std::string>{"wonderland", "424242"}});
    BOOST_TEST(two.outcome == CSH_AUTH_FAILURE);
    BOOST_TEST(two.reason == "the client did not send exactly one answer");
    const AuthAnswer none = login("alice", {one("wonderland"), std::vector<std::string>{}});
    BOOST_TEST(none.outcome == CSH_AUTH_FAILURE);
    BOOST_TEST(none.reason == "the client did not send exactly one answer");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(auth_static_kbdint_config)

BOOST_AUTO_TEST_CASE(an_unknown_user_key_fails_init_naming_the_path) {
    KbdIntFixture f(R"({"keyboardInteractive": {"method": "static", "static": {"users": {"alice": {"cod": "1"}}}}})");
    BOOST_TEST(f.plugin->init_status() == CSH_FAILED);
    const auto lines = f.host.lines_with_code("AUTH_STATIC_CONFIG_INVALID");
    BOOST_TEST_REQUIRE(lines.size() == 1u);
    BOOST_TEST(lines[0].field("key") == "auth.keyboardInteractive.static.users.alice.cod");
}

BOOST_AUTO_TEST_CASE(a_missing_static_block_fails_init) {
    KbdIntFixture f(R"({"keyboardInteractive": {"method": "static"}})");
    BOOST_TEST(f.plugin->init_status() == CSH_FAILED);
    BOOST_TEST(f.host.count_code("AUTH_STATIC_CONFIG_INVALID") == 1u);
}

BOOST_AUTO_TEST_CASE(the_method_is_not_announced_unless_configured) {
    KbdIntFixture f(R"({"password": {"method": "static", "static": {"users": {"alice": {"password": "x", "code": "1"}}}},
                        "keyboardInteractive": {"method": ""}})");
    BOOST_TEST_REQUIRE(f.plugin->init_status() == CSH_OK);
    BOOST_TEST(f.auth->methods == CSH_AUTH_METHOD_PASSWORD);
}

BOOST_AUTO_TEST_SUITE_END()
