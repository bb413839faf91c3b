// A configuration server's answer merged over the file, per connection.
#include <thread>

#include <boost/test/unit_test.hpp>

#include "test_support.hpp"

using csh::config::Config;
using csh::config::ConfigError;
using csh::config::test::Json;

BOOST_AUTO_TEST_SUITE(merge)

BOOST_AUTO_TEST_CASE(explicit_false_zero_and_empty_override) {
    const Config file = Config::parse(
        "docker:\n"
        "  execution:\n"
        "    disableAgent: true\n"
        "    containername: fixed\n"
        "security: {maxSessions: 10}\n",
        false, "config.yaml");
    const Config merged = file.merged_with(
        R"({"docker": {"execution": {"disableAgent": false, "containername": ""}}, "security": {"maxSessions": 0}})",
        "config server");
    const Json docker(merged.section_json("docker"));
    BOOST_TEST(docker.bool_at("/execution/disableAgent") == false);
    BOOST_TEST(docker.text_at("/execution/containername") == "");
    BOOST_TEST(Json(merged.section_json("security")).integer_at("/maxSessions") == 0);
    // The file's configuration is unchanged.
    BOOST_TEST(Json(file.section_json("docker")).bool_at("/execution/disableAgent") == true);
}

BOOST_AUTO_TEST_CASE(nested_maps_merge_key_by_key) {
    const Config file = Config::parse(
        "docker:\n"
        "  execution:\n"
        "    container: {image: base:1, env: [A=1]}\n"
        "    shellCommand: [/bin/sh]\n"
        "log: {level: info, format: text}\n",
        false, "config.yaml");
    const Config merged = file.merged_with(
        R"({"docker": {"execution": {"container": {"Image": "user:2"}, "mode": "session"}},)"
        R"( "log": {"level": "debug"}})",
        "config server");
    const Json docker(merged.section_json("docker"));
    BOOST_TEST(docker.text_at("/execution/container/Image") == "user:2");
    BOOST_TEST(!docker.has("/execution/container/image"));
    BOOST_TEST(docker.text_at("/execution/container/env/0") == "A=1");
    BOOST_TEST(docker.text_at("/execution/mode") == "session");
    BOOST_TEST(docker.text_at("/execution/shellCommand/0") == "/bin/sh");
    BOOST_TEST(merged.log().level == CSH_LOG_DEBUG);
    BOOST_TEST((merged.log().format == csh::log::LogSettings::Format::text));
    BOOST_TEST(file.merged_with("", "empty answer").effective_json() == file.effective_json());
    BOOST_TEST(file.merged_with("{}", "empty answer").effective_json() == file.effective_json());
}

BOOST_AUTO_TEST_CASE(lists_are_replaced_whole) {
    const Config file = Config::parse("docker: {execution: {shellCommand: [/bin/bash, -l]}}", false, "c.yaml");
    const Json docker(file.merged_with(R"({"docker":{"execution":{"shellCommand":["/bin/zsh"]}}})", "cs")
                          .section_json("docker"));
    BOOST_TEST(docker.size_at("/execution/shellCommand") == 1u);
}

BOOST_AUTO_TEST_CASE(an_invalid_merged_value_names_the_key) {
    const Config file = Config::parse("log: {level: info}\n", false, "config.yaml");
    try {
        file.merged_with("{\n  \"log\": {\"level\": \"loud\"}\n}", "config server");
        BOOST_FAIL("no error");
    } catch (const ConfigError& error) {
        BOOST_TEST(error.key_path() == "log.level");
        BOOST_TEST(error.source() == "config server");
        BOOST_TEST(error.line() == 2);
    }
    try {
        file.merged_with(R"({"security": {"env": {"mode": "sometimes"}}})", "cs");
        BOOST_FAIL("no error");
    } catch (const ConfigError& error) {
        BOOST_TEST(error.key_path() == "security.env.mode");
    }
    // A plugin's section is its plugin's to check, when the connection opens
    // (backend-docker: a_configuration_server_answer_is_checked_key_by_key).
    BOOST_CHECK_THROW(file.merged_with(R"({"docker": "session"})", "cs"), ConfigError);
    BOOST_CHECK_THROW(file.merged_with("[1, 2]", "cs"), ConfigError);
    BOOST_CHECK_THROW(file.merged_with("{\"docker\": ", "cs"), ConfigError);
}

BOOST_AUTO_TEST_CASE(a_third_party_backend_chosen_by_the_config_server) {
    const Config file = Config::parse("backend: docker\n", false, "config.yaml");
    const Config merged = file.merged_with(R"({"backend": "local", "local": {"root": "/srv"}})", "cs");
    BOOST_TEST(merged.required_providers().front().provides == "backend/local");
    BOOST_TEST(Json(merged.section_json("local")).text_at("/root") == "/srv");
}

BOOST_AUTO_TEST_CASE(connections_merge_concurrently_over_one_file_configuration) {
    // The file's configuration is shared by every connection's thread; its
    // trees must never change underneath them.
    const Config file = Config::parse("docker: {execution: {container: {image: base}}}\n", false, "config.yaml");
    const std::string file_json = file.effective_json();
    std::vector<std::string> failures(8);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < failures.size(); ++t) {
        threads.emplace_back([&file, &failures, t] {
            for (int i = 0; i < 50; ++i) {
                const std::string image = "user-" + std::to_string(t) + "-" + std::to_string(i);
                const Config merged = file.merged_with(
                    R"({"docker": {"execution": {"container": {"image": ")" + image + R"("}}}})", "cs");
                if (Json(merged.section_json("docker")).text_at("/execution/container/image") != image) {
                    failures[t] = "wrong image for " + image;
                }
            }
        });
    }
    for (std::thread& thread : threads) thread.join();
    for (const std::string& failure : failures) BOOST_TEST(failure == "");
    BOOST_TEST(file.effective_json() == file_json);
}

BOOST_AUTO_TEST_SUITE_END()
