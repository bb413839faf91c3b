// Plugins receive their sections as JSON whose types match what was meant.
#include <boost/test/unit_test.hpp>

#include "test_support.hpp"

using csh::config::Config;
using csh::config::test::Json;
using Type = simdjson::dom::element_type;

BOOST_AUTO_TEST_SUITE(json_output)

BOOST_AUTO_TEST_CASE(free_form_values_keep_their_yaml_meaning) {
    const Config config = Config::parse(
        "backend: custom\n"
        "custom:\n"
        "  plainTrue: true\n"
        "  quotedTrue: \"true\"\n"
        "  singleQuoted: 'false'\n"
        "  integer: 42\n"
        "  negative: -7\n"
        "  hex: 0x1F\n"
        "  float: 1.5\n"
        "  leadingDot: .5\n"
        "  quotedNumber: \"42\"\n"
        "  nothing: null\n"
        "  tilde: ~\n"
        "  empty:\n"
        "  infinity: .inf\n"
        "  yesWord: yes\n"
        "  text: hello world\n"
        "  escaped: \"tab\\there \\\"q\\\"\"\n"
        "  list: [1, \"1\", x]\n",
        false, "t.yaml");
    const std::string text = config.section_json("custom");
    const Json json(text);
    BOOST_TEST((json.type_at("/plainTrue") == Type::BOOL));
    BOOST_TEST(json.bool_at("/plainTrue") == true);
    BOOST_TEST(json.text_at("/quotedTrue") == "true");
    BOOST_TEST(json.text_at("/singleQuoted") == "false");
    BOOST_TEST((json.type_at("/integer") == Type::INT64));
    BOOST_TEST(json.integer_at("/integer") == 42);
    BOOST_TEST(json.integer_at("/negative") == -7);
    BOOST_TEST(json.integer_at("/hex") == 31);
    BOOST_TEST((json.type_at("/float") == Type::DOUBLE));
    BOOST_TEST(json.double_at("/float") == 1.5);
    BOOST_TEST(json.double_at("/leadingDot") == 0.5);
    BOOST_TEST(json.text_at("/quotedNumber") == "42");
    BOOST_TEST((json.type_at("/nothing") == Type::NULL_VALUE));
    BOOST_TEST((json.type_at("/tilde") == Type::NULL_VALUE));
    BOOST_TEST((json.type_at("/empty") == Type::NULL_VALUE));
    BOOST_TEST(json.text_at("/infinity") == ".inf");  // JSON has no infinity
    BOOST_TEST(json.text_at("/yesWord") == "yes");    // YAML 1.2: a text in free-form parts
    BOOST_TEST(json.text_at("/text") == "hello world");
    BOOST_TEST(json.text_at("/escaped") == "tab\there \"q\"");
    BOOST_TEST(json.integer_at("/list/0") == 1);
    BOOST_TEST(json.text_at("/list/1") == "1");
    BOOST_TEST(json.text_at("/list/2") == "x");
}

BOOST_AUTO_TEST_CASE(typed_keys_are_written_as_their_type) {
    const Config config = Config::parse(
        "configserver:\n"
        "  url: http://config\n"
        "  allowRedirects: yes\n"
        "  timeout: 1500000000\n"
        "  tlsVersion: 1.2\n"
        "  curves: x25519:secp384r1\n"
        "kubernetes:\n"
        "  connection: {qps: 2.5, burst: 0x10}\n",
        false, "t.yaml");
    const Json configserver(config.section_json("configserver"));
    BOOST_TEST(configserver.bool_at("/allowRedirects") == true);
    BOOST_TEST(configserver.text_at("/timeout") == "1.5s");  // bare numbers are nanoseconds
    BOOST_TEST(configserver.text_at("/tlsVersion") == "1.2");
    BOOST_TEST(configserver.size_at("/curves") == 2u);
    BOOST_TEST(configserver.text_at("/curves/1") == "secp384r1");
    const Json kubernetes(config.section_json("kubernetes"));
    BOOST_TEST(kubernetes.double_at("/connection/qps") == 2.5);
    BOOST_TEST(kubernetes.integer_at("/connection/burst") == 16);
}

BOOST_AUTO_TEST_CASE(sections_and_the_whole_configuration) {
    const Config config = Config::parse("backend: sshproxy\nsshproxy: {server: backend.example}\n", false, "t");
    BOOST_TEST(config.section_json("backend") == "\"sshproxy\"");
    BOOST_TEST(config.section_json("nosuchsection") == "null");
    const Json whole(config.effective_json());
    BOOST_TEST(whole.text_at("/sshproxy/server") == "backend.example");
    // Every core section with its defaults, and the plugin sections written
    // (sshproxy here); docker and kubernetes were not.
    BOOST_TEST(whole.size_at("") == 12u);
    BOOST_TEST(Json(config.section_json("sshproxy")).size_at("") == 1u);  // as written: its plugin fills the rest
}

BOOST_AUTO_TEST_SUITE_END()
