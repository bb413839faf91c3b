// The small pieces of the transport: backoff and Retry-After, which statuses
// are retried, URL redaction for logs, PEM detection. (Go TLS names to
// OpenSSL's: libs/tls-names/tests.)
#include "retry_policy.hpp"
#include <csh/webhook/url_redaction.hpp>

#include <containerssh/sdk/pem_source.hpp>

#include <boost/test/unit_test.hpp>

using namespace csh::webhook;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(transport_helpers)

BOOST_AUTO_TEST_CASE(backoff_starts_near_200ms_doubles_and_stops_at_10s) {
    std::minstd_rand random(42);
    for (int round = 0; round < 200; ++round) {
        const auto first = backoff_delay(1, random).count();
        BOOST_TEST((first >= 150 && first <= 250), first);
        const auto second = backoff_delay(2, random).count();
        BOOST_TEST((second >= 300 && second <= 500), second);
        const auto fifth = backoff_delay(5, random).count();
        BOOST_TEST((fifth >= 2400 && fifth <= 4000), fifth);
        const auto late = backoff_delay(40, random).count();
        BOOST_TEST((late >= 7500 && late <= 10000), late);
    }
}

BOOST_AUTO_TEST_CASE(retryable_statuses_are_5xx_and_429) {
    BOOST_TEST(is_retryable_status(500));
    BOOST_TEST(is_retryable_status(503));
    BOOST_TEST(is_retryable_status(599));
    BOOST_TEST(is_retryable_status(429));
    BOOST_TEST(!is_retryable_status(200));
    BOOST_TEST(!is_retryable_status(400));
    BOOST_TEST(!is_retryable_status(401));
    BOOST_TEST(!is_retryable_status(404));
    BOOST_TEST(!is_retryable_status(302));
}

BOOST_AUTO_TEST_CASE(redirect_statuses_are_those_with_a_location) {
    for (long status : {301L, 302L, 303L, 307L, 308L}) BOOST_TEST(is_redirect_status(status));
    for (long status : {300L, 304L, 305L, 200L}) BOOST_TEST(!is_redirect_status(status));
}

BOOST_AUTO_TEST_CASE(retry_after_is_read_in_seconds_only) {
    BOOST_TEST(parse_retry_after("120").value().count() == 120);
    BOOST_TEST(parse_retry_after(" 3 \r\n").value().count() == 3);
    BOOST_TEST(parse_retry_after("0").value().count() == 0);
    BOOST_TEST(!parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"));
    BOOST_TEST(!parse_retry_after(""));
    BOOST_TEST(!parse_retry_after("-1"));
    BOOST_TEST(!parse_retry_after("1.5"));
    BOOST_TEST(!parse_retry_after("99999999999999999999"));
}

BOOST_AUTO_TEST_CASE(urls_lose_credentials_query_and_fragment) {
    BOOST_TEST(redact_url("https://u:p@auth.example:8443/hook?t=1#x") == "https://auth.example:8443/hook");
    BOOST_TEST(redact_url("http://127.0.0.1:8080/password") == "http://127.0.0.1:8080/password");
    BOOST_TEST(redact_url("http://token@host") == "http://host");
    BOOST_TEST(redact_url("http://host/a@b") == "http://host/a@b");
    BOOST_TEST(redact_url("/relative/path?secret=1") == "/relative/path");
}

BOOST_AUTO_TEST_CASE(pem_text_is_told_from_a_file_name) {
    BOOST_TEST(csh::sdk::is_inline_pem("-----BEGIN CERTIFICATE-----\n..."));
    BOOST_TEST(csh::sdk::is_inline_pem("\n  -----BEGIN PRIVATE KEY-----"));
    BOOST_TEST(!csh::sdk::is_inline_pem("/etc/containerssh/ca.pem"));
    BOOST_TEST(!csh::sdk::is_inline_pem(""));
}

BOOST_AUTO_TEST_SUITE_END()
