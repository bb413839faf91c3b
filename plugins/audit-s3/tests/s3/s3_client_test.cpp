// The S3 client against s3rver behind the verifying proxy: every request
// must pass the proxy's Signature V4 check, and what lands in the bucket is
// read back with a second real client, awscli.
#include "s3_client_test_support.hpp"

#include "file_contents.hpp"

#include <algorithm>

using namespace s3_test;
using audit_s3::s3::CompletedPart;

namespace {

// The proxy's records for requests that reached s3rver or its own answers.
bool all_verified(const std::vector<csh::test::S3RecordedRequest>& requests) {
    return !requests.empty() && std::all_of(requests.begin(), requests.end(), [](const auto& r) {
        return r.verdict == "verified";
    });
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(s3_client, S3Fixture)

BOOST_AUTO_TEST_CASE(put_object_stores_bytes_content_type_metadata_and_acl) {
    auto s = settings();
    s.acl = "bucket-owner-full-control";
    S3Client client(host, s);
    // The range starts inside the file: only its bytes are the object.
    const std::string content = random_bytes(300 * 1024, 1);
    FileRange range = file("recording", "HEADER" + content + "TRAILER");
    range.offset = 6;
    range.length = content.size();
    ObjectHeaders headers;
    headers.content_type = "application/octet-stream";
    // A value with runs of blanks and a non-ASCII byte still signs as S3
    // recomputes it (the client folds the blanks and encodes the byte).
    headers.user_metadata = {
        {"username", "alice"}, {"ip", "127.0.0.1"}, {"authenticated", "true"}, {"country", " x  y\t\xc3\xa9 "}};
    const std::string key = "logs/conn 1+a";

    const S3Result result = wait([&](auto done) { client.put_object(key, range, headers, done); });
    BOOST_TEST_REQUIRE(result.ok, result.error);
    BOOST_TEST(result.status == 200);
    BOOST_TEST(!result.etag.empty());

    const auto head = server.aws({"head-object", "--bucket", server.bucket(), "--key", key});
    BOOST_TEST_REQUIRE(head.exit_code == 0, head.err);
    BOOST_TEST(head.out.find("\"ContentType\": \"application/octet-stream\"") != std::string::npos, head.out);
    BOOST_TEST(head.out.find("\"username\": \"alice\"") != std::string::npos, head.out);
    BOOST_TEST(head.out.find("\"ip\": \"127.0.0.1\"") != std::string::npos, head.out);
    BOOST_TEST(head.out.find("\"authenticated\": \"true\"") != std::string::npos, head.out);
    BOOST_TEST(head.out.find("\"country\": \"x y %C3%A9\"") != std::string::npos, head.out);
    const std::string fetched = scratch.file("fetched");
    const auto get = server.aws({"get-object", "--bucket", server.bucket(), "--key", key, fetched});
    BOOST_TEST_REQUIRE(get.exit_code == 0, get.err);
    BOOST_TEST((csh::test::read_file(fetched) == content));

    const auto requests = server.requests();
    BOOST_TEST(all_verified(requests));  // awscli's too: the proxy agrees with a second signer
    const auto& put = requests.front();
    BOOST_TEST(put.method == "PUT");
    BOOST_TEST(put.path == "/audit/logs/conn%201%2Ba");
    BOOST_TEST(put.headers.at("x-amz-acl") == "bucket-owner-full-control");
    BOOST_TEST(put.payload == "UNSIGNED-PAYLOAD");  // streamed from the file
    BOOST_TEST(put.body_bytes == content.size());
    BOOST_TEST(all_logged_text().find(server.secret_key()) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_multipart_upload_of_three_parts_is_whole_in_the_bucket) {
    S3Client client(host, settings());
    constexpr std::size_t kPart = 5 * 1024 * 1024;
    const std::string content = random_bytes(2 * kPart + 1024, 2);
    const FileRange whole = file("recording", content);
    const std::string key = "multi";
    ObjectHeaders headers;
    headers.content_type = "application/octet-stream";
    headers.user_metadata = {{"timestamp", "1700000000"}};

    const S3Result created = wait([&](auto done) { client.create_multipart_upload(key, headers, done); });
    BOOST_TEST_REQUIRE(created.ok, created.error);
    BOOST_TEST_REQUIRE(!created.upload_id.empty());

    std::vector<CompletedPart> parts;
    for (int number = 1; number <= 3; ++number) {
        FileRange range = whole;
        range.offset = static_cast<uint64_t>(number - 1) * kPart;
        range.length = number < 3 ? kPart : 1024;
        const S3Result part =
            wait([&](auto done) { client.upload_part(key, created.upload_id, number, range, done); });
        BOOST_TEST_REQUIRE(part.ok, part.error);
        BOOST_TEST_REQUIRE(!part.etag.empty());
        parts.push_back(CompletedPart{number, part.etag});
    }
    const S3Result completed =
        wait([&](auto done) { client.complete_multipart_upload(key, created.upload_id, parts, done); });
    BOOST_TEST_REQUIRE(completed.ok, completed.error);

    const std::string fetched = scratch.file("fetched");
    const auto get = server.aws({"get-object", "--bucket", server.bucket(), "--key", key, fetched});
    BOOST_TEST_REQUIRE(get.exit_code == 0, get.err);
    BOOST_TEST(get.out.find("\"timestamp\": \"1700000000\"") != std::string::npos, get.out);
    const std::string stored = csh::test::read_file(fetched);
    BOOST_TEST(stored.size() == content.size());
    BOOST_TEST((stored == content));

    const S3Result listed = wait([&](auto done) { client.list_multipart_uploads(key, done); });
    BOOST_TEST_REQUIRE(listed.ok, listed.error);
    BOOST_TEST(listed.uploads.empty());  // completed, so no longer pending

    const auto requests = server.requests();
    BOOST_TEST(all_verified(requests));
    std::vector<std::string> part_queries;
    for (const auto& r : requests) {
        if (r.method == "PUT") part_queries.push_back(r.query);
    }
    BOOST_REQUIRE(part_queries.size() == 3u);
    BOOST_TEST(part_queries[0] == "partNumber=1&uploadId=" + created.upload_id);
    BOOST_TEST(part_queries[2] == "partNumber=3&uploadId=" + created.upload_id);
    // The completion's XML body was signed with its real SHA-256, which the proxy checked.
    const auto complete = std::find_if(requests.begin(), requests.end(), [](const auto& r) {
        return r.method == "POST" && r.query.rfind("uploadId=", 0) == 0;
    });
    BOOST_REQUIRE(complete != requests.end());
    BOOST_TEST(complete->payload.size() == 64u);
}

BOOST_AUTO_TEST_CASE(a_pending_upload_is_listed_by_prefix_then_aborted) {
    S3Client client(host, settings());
    const S3Result pending = wait([&](auto done) { client.create_multipart_upload("pending/conn-1", {}, done); });
    const S3Result other = wait([&](auto done) { client.create_multipart_upload("other/conn-2", {}, done); });
    BOOST_TEST_REQUIRE(pending.ok, pending.error);
    BOOST_TEST_REQUIRE(other.ok, other.error);

    const S3Result listed = wait([&](auto done) { client.list_multipart_uploads("pending/", done); });
    BOOST_TEST_REQUIRE(listed.ok, listed.error);
    BOOST_REQUIRE(listed.uploads.size() == 1u);
    BOOST_TEST(listed.uploads[0].key == "pending/conn-1");
    BOOST_TEST(listed.uploads[0].upload_id == pending.upload_id);

    const S3Result aborted =
        wait([&](auto done) { client.abort_multipart_upload("pending/conn-1", pending.upload_id, done); });
    BOOST_TEST_REQUIRE(aborted.ok, aborted.error);
    BOOST_TEST(aborted.status == 204);

    const S3Result after = wait([&](auto done) { client.list_multipart_uploads("", done); });
    BOOST_REQUIRE(after.uploads.size() == 1u);
    BOOST_TEST(after.uploads[0].key == "other/conn-2");

    const S3Result again =
        wait([&](auto done) { client.abort_multipart_upload("pending/conn-1", pending.upload_id, done); });
    BOOST_TEST(!again.ok);
    BOOST_TEST(again.status == 404);
    BOOST_TEST(again.error == "NoSuchUpload");
    BOOST_TEST(!again.retryable);
    BOOST_TEST(all_verified(server.requests()));
}

BOOST_AUTO_TEST_CASE(virtual_host_addressing_names_the_bucket_in_the_host) {
    auto s = settings();
    s.endpoint = server.virtual_host_endpoint();
    s.path_style = false;
    S3Client client(host, s);
    BOOST_TEST(client.object_url("vh") ==
               "http://" + server.bucket() + ".localhost:" + std::to_string(server.port()) + "/vh");
    const std::string content = random_bytes(4096, 3);
    const S3Result put = wait([&](auto done) { client.put_object("vh", file("vh", content), {}, done); });
    BOOST_TEST_REQUIRE(put.ok, put.error);
    const S3Result created = wait([&](auto done) { client.create_multipart_upload("vh-multi", {}, done); });
    BOOST_TEST_REQUIRE(created.ok, created.error);
    const S3Result listed = wait([&](auto done) { client.list_multipart_uploads("vh-", done); });
    BOOST_TEST_REQUIRE(listed.ok, listed.error);
    BOOST_REQUIRE(listed.uploads.size() == 1u);
    BOOST_TEST(listed.uploads[0].upload_id == created.upload_id);

    const auto requests = server.requests();
    BOOST_TEST(all_verified(requests));
    for (const auto& r : requests) {
        BOOST_TEST(r.virtual_host);
        BOOST_TEST(r.headers.at("host") == server.bucket() + ".localhost:" + std::to_string(server.port()));
    }
    BOOST_TEST(requests.front().path == "/vh");
    const std::string fetched = scratch.file("fetched");
    BOOST_TEST(server.aws({"get-object", "--bucket", server.bucket(), "--key", "vh", fetched}).exit_code == 0);
    BOOST_TEST((csh::test::read_file(fetched) == content));
}

BOOST_AUTO_TEST_SUITE_END()
