// S3's XML answers and how failures are classified.
#include "s3/s3_result.hpp"
#include "s3/s3_xml.hpp"

#include <boost/test/unit_test.hpp>

using namespace audit_s3::s3;

BOOST_AUTO_TEST_SUITE(s3_answers)

BOOST_AUTO_TEST_CASE(an_error_document_gives_its_code_and_message) {
    const auto answer = parse_answer(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchUpload</Code>"
        "<Message>The specified upload does not exist.</Message><RequestId>1</RequestId></Error>");
    BOOST_TEST(answer.parsed);
    BOOST_TEST(answer.root == "Error");
    BOOST_TEST(answer.code == "NoSuchUpload");
    BOOST_TEST(answer.message == "The specified upload does not exist.");
}

BOOST_AUTO_TEST_CASE(results_in_s3s_namespace_are_read) {
    const auto initiated = parse_answer(
        "<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>b</Bucket>"
        "<Key>k</Key><UploadId>VXBsb2FkIElE</UploadId></InitiateMultipartUploadResult>");
    BOOST_TEST(initiated.upload_id == "VXBsb2FkIElE");

    const auto listed = parse_answer(
        "<ListMultipartUploadsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>b</Bucket>"
        "<IsTruncated>false</IsTruncated>"
        "<Upload><Key>a&amp;b</Key><UploadId>1</UploadId><Initiator><ID>x</ID></Initiator></Upload>"
        "<Upload><Key>c</Key><UploadId>2</UploadId></Upload></ListMultipartUploadsResult>");
    BOOST_REQUIRE(listed.uploads.size() == 2u);
    BOOST_TEST(listed.uploads[0].key == "a&b");
    BOOST_TEST(listed.uploads[0].upload_id == "1");
    BOOST_TEST(listed.uploads[1].key == "c");
    BOOST_TEST(!listed.truncated);
}

BOOST_AUTO_TEST_CASE(the_completion_body_lists_the_parts_in_s3s_namespace) {
    const std::string body = complete_multipart_upload_body({{1, "\"a&b\""}, {2, "\"c\""}});
    BOOST_TEST(body.find("<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">") !=
               std::string::npos, body);
    BOOST_TEST(body.find("<Part><PartNumber>1</PartNumber><ETag>&quot;a&amp;b&quot;</ETag></Part>") !=
               std::string::npos, body);
    BOOST_TEST(body.find("<PartNumber>2</PartNumber>") != std::string::npos, body);
}

BOOST_AUTO_TEST_CASE(what_is_not_xml_is_not_parsed) {
    BOOST_TEST(!parse_answer("").parsed);
    BOOST_TEST(!parse_answer("<Error><Code>x</Code>").parsed);
    BOOST_TEST(!parse_answer("service unavailable").parsed);
}

BOOST_AUTO_TEST_CASE(passing_failures_are_retryable_and_refusals_are_not) {
    BOOST_TEST(is_retryable(500, "InternalError"));
    BOOST_TEST(is_retryable(503, "SlowDown"));
    BOOST_TEST(is_retryable(503, ""));
    BOOST_TEST(is_retryable(429, ""));
    BOOST_TEST(is_retryable(400, "RequestTimeout"));
    BOOST_TEST(!is_retryable(403, "SignatureDoesNotMatch"));
    BOOST_TEST(!is_retryable(403, "AccessDenied"));
    BOOST_TEST(!is_retryable(404, "NoSuchUpload"));
    BOOST_TEST(!is_retryable(400, "MalformedXML"));
}

BOOST_AUTO_TEST_CASE(a_200_with_an_error_document_is_a_failure) {
    csh::webhook::HttpResult http;
    http.status = 200;
    http.body = "<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>";
    const S3Result result = to_s3_result(Operation::complete_multipart_upload, http);
    BOOST_TEST(!result.ok);
    BOOST_TEST(result.error == "InternalError");
    BOOST_TEST(result.retryable);
}

BOOST_AUTO_TEST_CASE(a_transport_failure_keeps_the_clients_judgement) {
    csh::webhook::HttpResult http;
    http.failure_code = "HTTP_CLIENT_CONNECTION_FAILED";
    http.failure = "Connection refused";
    http.transient = true;
    S3Result result = to_s3_result(Operation::put_object, http);
    BOOST_TEST(!result.ok);
    BOOST_TEST(result.status == 0);
    BOOST_TEST(result.retryable);
    http.transient = false;
    BOOST_TEST(!to_s3_result(Operation::put_object, http).retryable);
}

BOOST_AUTO_TEST_SUITE_END()
