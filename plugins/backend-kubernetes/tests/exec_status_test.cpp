// The Status on channel 3: how Kubernetes says a remote command ended.
#include "api/exec_status.hpp"

#include <boost/test/unit_test.hpp>

using backend_kubernetes::api::parse_exec_status;

BOOST_AUTO_TEST_SUITE(exec_status)

BOOST_AUTO_TEST_CASE(success_is_exit_zero) {
    const auto end = parse_exec_status(R"({"metadata":{},"status":"Success"})");
    BOOST_TEST(end.exit_code.value_or(999999) == 0u);
    BOOST_TEST(end.error.empty());
}

BOOST_AUTO_TEST_CASE(a_non_zero_exit_code_comes_from_the_exit_code_cause) {
    // What the kubelet writes for `sh -c 'exit 3'`.
    const auto end = parse_exec_status(
        R"({"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: exit status 3",)"
        R"("reason":"NonZeroExitCode","details":{"causes":[{"reason":"Other","message":"x"},{"reason":"ExitCode","message":"3"}]}})");
    BOOST_TEST(end.exit_code.value_or(999999) == 3u);
    BOOST_TEST(end.error.empty());
    BOOST_TEST(parse_exec_status(R"({"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"255"}]}})")
                   .exit_code.value_or(999999) == 255u);
}

BOOST_AUTO_TEST_CASE(another_failure_gives_its_message) {
    const auto end = parse_exec_status(
        R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":"container \"x\" not found in pod \"p\"","reason":"BadRequest","code":400})");
    BOOST_TEST(!end.exit_code.has_value());
    BOOST_TEST(end.error == "container \"x\" not found in pod \"p\"");
    BOOST_TEST(parse_exec_status(R"({"status":"Failure","reason":"InternalError"})").error == "the command failed (InternalError)");
}

BOOST_AUTO_TEST_CASE(malformed_statuses_are_errors_never_codes) {
    for (const char* text : {"", "not json", "[]", R"({"status":3})", R"({"message":"no status"})",
                             R"({"status":"Pending"})",
                             R"({"status":"Failure","reason":"NonZeroExitCode"})",
                             R"({"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[]}})",
                             R"({"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"-1"}]}})",
                             R"({"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3x"}]}})",
                             R"({"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"99999999999"}]}})",
                             R"({"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode"}]}})"}) {
        BOOST_TEST_CONTEXT(text) {
            const auto end = parse_exec_status(text);
            BOOST_TEST(!end.exit_code.has_value());
            BOOST_TEST(!end.error.empty());
        }
    }
}

BOOST_AUTO_TEST_CASE(error_texts_stay_on_one_short_line) {
    const auto end = parse_exec_status(R"({"status":"Failure","message":"line one\nline two )" + std::string(1000, 'x') + "\"}");
    BOOST_TEST(end.error.find('\n') == std::string::npos);
    BOOST_TEST(end.error.size() <= 300u);
}

BOOST_AUTO_TEST_SUITE_END()
