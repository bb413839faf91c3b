// Refusals and outages: a signature that does not verify is a 403 that no
// retry fixes; a 503, a dropped connection or a stopped server may pass; a
// request in flight when the client goes away ends as cancelled.
#include "s3_client_test_support.hpp"

#include <csh/webhook/http_client.hpp>

#include <memory>

using namespace s3_test;

namespace {

csh::test::S3RecordedRequest last_request(const csh::test::S3TestServer& server) {
    const auto requests = server.requests();
    BOOST_REQUIRE(!requests.empty());
    return requests.back();
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(s3_client_failures, S3Fixture)

BOOST_AUTO_TEST_CASE(a_wrong_secret_key_is_refused_and_not_retryable) {
    auto s = settings();
    s.secret_key = "not-the-secret";
    S3Client client(host, s);
    const S3Result result = wait([&](auto done) { client.put_object("k", file("f", "data"), {}, done); });
    BOOST_TEST(!result.ok);
    BOOST_TEST(result.status == 403);
    BOOST_TEST(result.error == "SignatureDoesNotMatch");
    BOOST_TEST(!result.retryable);
    BOOST_TEST(server.requests().size() == 1u);  // not retried
    BOOST_TEST(last_request(server).verdict == "refused:SignatureDoesNotMatch");
    // The proxy stopped it: s3rver never stored the object.
    BOOST_TEST(server.aws({"head-object", "--bucket", server.bucket(), "--key", "k"}).exit_code != 0);
    BOOST_TEST(all_logged_text().find("not-the-secret") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_unknown_access_key_is_refused) {
    auto s = settings();
    s.access_key = "AKIANOBODY";
    S3Client client(host, s);
    const S3Result result = wait([&](auto done) { client.list_multipart_uploads("", done); });
    BOOST_TEST(result.status == 403);
    BOOST_TEST(result.error == "InvalidAccessKeyId");
    BOOST_TEST(!result.retryable);
}

// Requests signed by libcurl with the right key but altered in ways the
// signature covers: the proxy's check must fail them.
BOOST_AUTO_TEST_CASE(a_request_that_does_not_match_its_signature_is_refused) {
    csh::webhook::HttpClientSettings http_settings;
    http_settings.timeout = 5s;
    csh::webhook::HttpClient http(host, http_settings);
    auto send = [&](csh::webhook::HttpRequest request) {
        request.aws_sigv4 = "aws:amz:" + server.region() + ":s3";
        request.aws_access_key = server.access_key();
        request.aws_secret_key = server.secret_key();
        std::optional<csh::webhook::HttpResult> result;
        http.send(std::move(request), [&](csh::webhook::HttpResult r) { result = std::move(r); });
        BOOST_REQUIRE(fake.run_until([&] { return result.has_value(); }, 30s));
        return *result;
    };
    const std::string empty_hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    // libcurl 7.88 signs the query as written; S3 signs it sorted.
    csh::webhook::HttpRequest unsorted;
    unsorted.url = server.endpoint() + "/" + server.bucket() + "?uploads=&prefix=x";
    unsorted.headers = {"x-amz-content-sha256: " + empty_hash};
    BOOST_TEST(send(unsorted).status == 403);
    BOOST_TEST(last_request(server).verdict == "refused:SignatureDoesNotMatch");

    // The same request in canonical order passes, so the refusal above is the query's.
    csh::webhook::HttpRequest sorted = unsorted;
    sorted.url = server.endpoint() + "/" + server.bucket() + "?prefix=x&uploads=";
    BOOST_TEST(send(sorted).status == 200);
    BOOST_TEST(last_request(server).verdict == "verified");

    // A body that is not the one whose hash was signed.
    csh::webhook::HttpRequest tampered;
    tampered.method = "PUT";
    tampered.url = server.endpoint() + "/" + server.bucket() + "/tampered";
    tampered.headers = {"x-amz-content-sha256: " + empty_hash};
    tampered.body = "not empty";
    BOOST_TEST(send(tampered).status == 400);
    BOOST_TEST(last_request(server).verdict == "refused:XAmzContentSHA256Mismatch");

    // No x-amz-content-sha256 at all: libcurl 7.88 does not add one for s3.
    csh::webhook::HttpRequest bare;
    bare.url = server.endpoint() + "/" + server.bucket() + "?prefix=x&uploads=";
    BOOST_TEST(send(bare).status == 400);
    BOOST_TEST(last_request(server).verdict == "refused:InvalidRequest");
}

BOOST_AUTO_TEST_CASE(a_503_is_retryable) {
    server.set_fault(csh::test::S3TestServer::Fault::service_unavailable);
    S3Client client(host, settings(), 1500ms);
    const S3Result result = wait([&](auto done) { client.put_object("k", file("f", "data"), {}, done); });
    BOOST_TEST(!result.ok);
    BOOST_TEST(result.status == 503);
    BOOST_TEST(result.error == "ServiceUnavailable");
    BOOST_TEST(result.retryable);
    BOOST_TEST(last_request(server).verdict == "fault:503");
}

BOOST_AUTO_TEST_CASE(a_dropped_connection_is_a_retryable_transport_failure) {
    server.set_fault(csh::test::S3TestServer::Fault::drop_connection);
    S3Client client(host, settings(), 1500ms);
    const S3Result result = wait([&](auto done) { client.create_multipart_upload("k", {}, done); });
    BOOST_TEST(!result.ok);
    BOOST_TEST(result.status == 0);
    BOOST_TEST(!result.error.empty());
    BOOST_TEST(result.retryable);
}

BOOST_AUTO_TEST_CASE(a_stopped_server_is_a_retryable_failure_until_it_is_back) {
    S3Client client(host, settings(), 1500ms);
    const S3Result created = wait([&](auto done) { client.create_multipart_upload("survivor", {}, done); });
    BOOST_TEST_REQUIRE(created.ok, created.error);

    server.stop();
    const S3Result down = wait([&](auto done) { client.put_object("k", file("f", "data"), {}, done); });
    BOOST_TEST(!down.ok);
    BOOST_TEST(down.status == 0);
    BOOST_TEST(down.retryable);
    BOOST_TEST(down.error.find(server.secret_key()) == std::string::npos);

    server.start();  // same port, same bucket
    const S3Result up = wait([&](auto done) { client.put_object("k", file("f", "data"), {}, done); });
    BOOST_TEST_REQUIRE(up.ok, up.error);
    const S3Result listed = wait([&](auto done) { client.list_multipart_uploads("survivor", done); });
    BOOST_REQUIRE(listed.uploads.size() == 1u);  // the upload from before the outage is still pending
    BOOST_TEST(listed.uploads[0].upload_id == created.upload_id);
}

BOOST_AUTO_TEST_CASE(a_missing_body_file_fails_without_a_request) {
    S3Client client(host, settings());
    const S3Result result = wait([&](auto done) {
        client.upload_part("k", "id", 1, FileRange{scratch.file("absent"), 0, 10}, done);
    });
    BOOST_TEST(!result.ok);
    BOOST_TEST(!result.retryable);
    BOOST_TEST(result.error.find("absent") != std::string::npos, result.error);
    BOOST_TEST(server.requests().empty());
}

BOOST_AUTO_TEST_CASE(a_body_file_shorter_than_its_range_fails_for_good) {
    S3Client client(host, settings());
    FileRange range = file("short", "only ten b");
    range.length = 100;
    const S3Result result = wait([&](auto done) { client.put_object("short", range, {}, done); });
    BOOST_TEST(!result.ok);
    BOOST_TEST(!result.retryable);
    BOOST_TEST(result.error.find("body file ended") != std::string::npos, result.error);
    BOOST_TEST(server.aws({"head-object", "--bucket", server.bucket(), "--key", "short"}).exit_code != 0);
}

BOOST_AUTO_TEST_CASE(a_request_in_flight_ends_cancelled_when_the_client_goes) {
    server.set_fault(csh::test::S3TestServer::Fault::hang);
    auto client = std::make_unique<S3Client>(host, settings());
    std::vector<S3Result> results;
    client->put_object("k", file("f", "data"), {}, [&](S3Result r) { results.push_back(std::move(r)); });
    client->list_multipart_uploads("", [&](S3Result r) { results.push_back(std::move(r)); });
    fake.run_for(500ms);  // both sent, neither answered
    BOOST_TEST(results.empty());
    client.reset();
    BOOST_REQUIRE(results.size() == 2u);
    for (const auto& r : results) {
        BOOST_TEST(r.cancelled);
        BOOST_TEST(!r.ok);
    }
    fake.run_for(100ms);
    BOOST_TEST(results.size() == 2u);
    BOOST_TEST(fake.watches().empty());
    BOOST_TEST(fake.misuse().empty());
    server.set_fault(csh::test::S3TestServer::Fault::none);
}

BOOST_AUTO_TEST_SUITE_END()
