// URLs, key encoding and the canonical query: what libcurl signs must be what
// S3 recomputes.
#include "s3/s3_addressing.hpp"

#include "s3/s3_client.hpp"

#include <containerssh/sdk/testing/fake_host.hpp>
#include <csh/webhook/messages.hpp>

#include <boost/test/unit_test.hpp>

using namespace audit_s3::s3;

BOOST_AUTO_TEST_SUITE(s3_addressing)

BOOST_AUTO_TEST_CASE(keys_are_encoded_as_s3_encodes_them) {
    BOOST_TEST(uri_encode("logs/conn 1+x~y_z.-!", true) == "logs/conn%201%2Bx~y_z.-%21");
    BOOST_TEST(uri_encode("a/b", false) == "a%2Fb");
    BOOST_TEST(uri_encode("\xc3\xa9", true) == "%C3%A9");
}

BOOST_AUTO_TEST_CASE(the_query_is_sorted_and_flags_carry_an_equals_sign) {
    BOOST_TEST(canonical_query({{"uploads", ""}, {"prefix", "a b/c"}}) == "prefix=a%20b%2Fc&uploads=");
    BOOST_TEST(canonical_query({{"uploadId", "x+y"}, {"partNumber", "3"}}) == "partNumber=3&uploadId=x%2By");
}

BOOST_AUTO_TEST_CASE(path_style_puts_the_bucket_in_the_path) {
    S3Settings settings;
    settings.bucket = "audit";
    settings.endpoint = "http://127.0.0.1:9000/";
    settings.path_style = true;
    const Addressing addressing(settings);
    BOOST_TEST(addressing.bucket_url() == "http://127.0.0.1:9000/audit");
    BOOST_TEST(addressing.object_url("a b", "uploads=") == "http://127.0.0.1:9000/audit/a%20b?uploads=");
}

BOOST_AUTO_TEST_CASE(virtual_host_style_puts_the_bucket_in_the_host) {
    S3Settings settings;
    settings.bucket = "audit";
    settings.endpoint = "https://minio.example:9000/base";
    const Addressing addressing(settings);
    BOOST_TEST(addressing.bucket_url() == "https://audit.minio.example:9000/base");
    BOOST_TEST(addressing.object_url("k") == "https://audit.minio.example:9000/base/k");
}

BOOST_AUTO_TEST_CASE(the_default_endpoint_is_aws_in_the_region) {
    S3Settings settings;
    settings.bucket = "audit";
    BOOST_TEST(Addressing(settings).region() == "us-east-1");
    BOOST_TEST(Addressing(settings).object_url("k") == "https://audit.s3.us-east-1.amazonaws.com/k");
    settings.region = "eu-west-1";
    BOOST_TEST(Addressing(settings).object_url("k") == "https://audit.s3.eu-west-1.amazonaws.com/k");
}

BOOST_AUTO_TEST_CASE(object_url_carries_no_credentials) {
    csh::sdk::testing::FakeHost fake;
    fake.register_codes(csh::webhook::kMessageTable, std::size(csh::webhook::kMessageTable));
    S3Settings settings;
    settings.bucket = "audit";
    settings.access_key = "AKIAEXAMPLE";
    settings.secret_key = "very-secret";
    settings.endpoint = "http://user:password@127.0.0.1:9000";
    settings.path_style = true;
    S3Client client(csh::sdk::Host{fake.host(), csh::webhook::codes::HTTP_CLIENT_ENCODE_FAILED}, settings);
    BOOST_TEST(client.object_url("conn 1") == "http://127.0.0.1:9000/audit/conn%201");
}

BOOST_AUTO_TEST_SUITE_END()
