// The SDK's small codecs plugins share: base64 both ways, Go durations in
// configuration sections (ConfigNode::duration).
#include <containerssh/sdk/base64.hpp>
#include <containerssh/sdk/json_config.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>

using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(base64)

BOOST_AUTO_TEST_CASE(round_trips_every_length_and_byte) {
    std::string bytes;
    for (int i = 0; i < 300; ++i) {
        const std::string encoded = csh::sdk::base64_encode(bytes);
        BOOST_TEST(encoded.size() % 4 == 0u);
        const auto decoded = csh::sdk::base64_decode(encoded);
        BOOST_REQUIRE(decoded.has_value());
        BOOST_TEST(*decoded == bytes);
        bytes += static_cast<char>(i * 37);
    }
}

BOOST_AUTO_TEST_CASE(known_values_padded_and_unpadded) {
    BOOST_TEST(csh::sdk::base64_decode("V2VsY29tZQo=").value() == "Welcome\n");
    BOOST_TEST(csh::sdk::base64_decode("V2VsY29tZQo").value() == "Welcome\n");
    BOOST_TEST(csh::sdk::base64_decode("").value().empty());
    BOOST_TEST(csh::sdk::base64_encode(std::string("\xff\x00", 2)) == "/wA=");
}

BOOST_AUTO_TEST_CASE(refuses_what_is_not_base64) {
    for (const char* bad : {"V2Vs*", "A", "AB=C", "ABC===", "A===", "V2 VsY29t"}) {
        BOOST_TEST_INFO(bad);
        BOOST_TEST(!csh::sdk::base64_decode(bad).has_value());
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(config_durations)

BOOST_AUTO_TEST_CASE(reads_go_durations_and_nanosecond_numbers) {
    csh::sdk::JsonConfig config(R"({"a": "1m0s", "b": "250ms", "c": 2000000000, "d": "1h30m"})", "X_CODE", "s");
    const auto root = config.root();
    BOOST_TEST(root.duration("a", 0s).count() == std::chrono::nanoseconds(60s).count());
    BOOST_TEST(root.duration("b", 0s).count() == std::chrono::nanoseconds(250ms).count());
    BOOST_TEST(root.duration("c", 0s).count() == std::chrono::nanoseconds(2s).count());
    BOOST_TEST(root.duration("d", 0s).count() == std::chrono::nanoseconds(90min).count());
    BOOST_TEST(root.duration("missing", 7s).count() == std::chrono::nanoseconds(7s).count());
}

BOOST_AUTO_TEST_CASE(a_bad_duration_names_the_key) {
    csh::sdk::JsonConfig config(R"({"timeout": "soon"})", "X_CODE", "auth.webhook");
    try {
        config.root().duration("timeout", 1s);
        BOOST_FAIL("no error");
    } catch (const csh::sdk::Error& e) {
        BOOST_TEST(std::string(e.code()) == "X_CODE");
        BOOST_TEST(std::string(e.what()).find("auth.webhook.timeout") != std::string::npos);
    }
}

BOOST_AUTO_TEST_SUITE_END()
