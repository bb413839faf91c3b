#include "s3/s3_client.hpp"

#include "s3/s3_addressing.hpp"
#include "s3/s3_result.hpp"
#include "s3/s3_xml.hpp"

#include <csh/webhook/http_client.hpp>
#include <csh/webhook/http_settings.hpp>
#include <csh/webhook/url_redaction.hpp>

#include <openssl/evp.h>

#include <cctype>
#include <utility>

namespace audit_s3::s3 {
namespace {

using csh::webhook::HttpRequest;
using csh::webhook::HttpResult;

// The x-amz-content-sha256 of a body libcurl streams from a file. libcurl
// 7.88 sends no x-amz-content-sha256 of its own but, when the request
// carries one, signs its value as the payload hash; S3 accepts
// UNSIGNED-PAYLOAD (the body's integrity then rests on TLS, as for every
// AWS SDK that streams).
constexpr const char* kUnsignedPayload = "UNSIGNED-PAYLOAD";

std::string sha256_hex(const std::string& data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < size; ++i) {
        out.push_back(kHex[digest[i] >> 4]);
        out.push_back(kHex[digest[i] & 0x0f]);
    }
    return out;
}

// A header value as S3 signs it: runs of blanks are one space and the ends
// are trimmed (libcurl 7.88 signs the value as sent, so send it so), and no
// control or non-ASCII byte (which would break the header or its
// signature) goes out raw: those are percent-encoded.
std::string header_value(const std::string& value) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    bool blank = false;
    for (const char c : value) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte == ' ' || byte == '\t') {
            blank = !out.empty();
            continue;
        }
        if (blank) out.push_back(' ');
        blank = false;
        if (byte < 0x20 || byte > 0x7e) {
            out.push_back('%');
            out.push_back(kHex[byte >> 4]);
            out.push_back(kHex[byte & 0x0f]);
        } else {
            out.push_back(c);
        }
    }
    return out;
}

// A user metadata name reduced to the characters of an HTTP header name.
std::string metadata_name(const std::string& name) {
    std::string out;
    for (const char c : name) {
        const auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte) || c == '-' || c == '_' || c == '.') out.push_back(static_cast<char>(std::tolower(byte)));
    }
    return out;
}

csh::webhook::HttpClientSettings http_settings(const S3Settings& settings, std::chrono::milliseconds timeout) {
    csh::webhook::HttpClientSettings http;
    http.cacert = settings.cacert_pem;
    // One attempt may carry a whole part; the request's deadline is the
    // same, so a transport failure that ends early is retried within it.
    http.timeout = timeout;
    // S3-compatible servers (MinIO, Ceph) still often stop at TLS 1.2.
    http.tls_version = "1.2";
    return http;
}

}  // namespace

class S3Client::Impl {
public:
    Impl(csh::sdk::Host host, S3Settings settings, std::chrono::milliseconds timeout)
        : settings_(std::move(settings)),
          addressing_(settings_),
          timeout_(timeout),
          http_(host, http_settings(settings_, timeout)) {}

    const Addressing& addressing() const { return addressing_; }

    // A signed request to `url`; `payload_hash` is the x-amz-content-sha256.
    HttpRequest request(const char* method, std::string url, const std::string& payload_hash) const {
        HttpRequest request;
        request.method = method;
        request.url = std::move(url);
        request.peer = "S3";
        request.overall_timeout = timeout_;
        // One attempt: the uploader retries with its own back-off and logs
        // each failure, so an outage shows at once instead of after a minute.
        request.max_attempts = 1;
        request.aws_sigv4 = "aws:amz:" + addressing_.region() + ":s3";
        request.aws_access_key = settings_.access_key;
        request.aws_secret_key = settings_.secret_key;
        request.headers.push_back("x-amz-content-sha256: " + payload_hash);
        return request;
    }

    void add_object_headers(HttpRequest& request, const ObjectHeaders& headers) const {
        const std::string type = header_value(headers.content_type);
        // S3's own default; without it libcurl would label a POST as a form.
        request.headers.push_back("Content-Type: " + (type.empty() ? std::string("binary/octet-stream") : type));
        if (!settings_.acl.empty()) request.headers.push_back("x-amz-acl: " + header_value(settings_.acl));
        for (const auto& [name, value] : headers.user_metadata) {
            const std::string clean = metadata_name(name);
            if (clean.empty()) continue;
            request.headers.push_back("x-amz-meta-" + clean + ": " + header_value(value));
        }
    }

    void send(Operation operation, HttpRequest request, Done done) {
        http_.send(std::move(request), [operation, done = std::move(done)](HttpResult result) {
            if (done) done(to_s3_result(operation, std::move(result)));
        });
    }

private:
    S3Settings settings_;
    Addressing addressing_;
    std::chrono::milliseconds timeout_;
    // Last: destroyed first, completing every pending `done` (cancelled)
    // while the rest of the client still exists.
    csh::webhook::HttpClient http_;
};

S3Client::S3Client(csh::sdk::Host host, S3Settings settings, std::chrono::milliseconds request_timeout)
    : impl_(std::make_shared<Impl>(host, std::move(settings), request_timeout)) {}

S3Client::~S3Client() = default;

std::string S3Client::object_url(const std::string& key) const {
    return csh::webhook::redact_url(impl_->addressing().object_url(key));
}

void S3Client::put_object(const std::string& key, FileRange body, const ObjectHeaders& headers, Done done) {
    HttpRequest request = impl_->request("PUT", impl_->addressing().object_url(key), kUnsignedPayload);
    impl_->add_object_headers(request, headers);
    request.body_file = csh::webhook::FileBody{std::move(body.path), body.offset, body.length};
    request.response_headers = {"ETag"};
    impl_->send(Operation::put_object, std::move(request), std::move(done));
}

void S3Client::create_multipart_upload(const std::string& key, const ObjectHeaders& headers, Done done) {
    HttpRequest request = impl_->request(
        "POST", impl_->addressing().object_url(key, canonical_query({{"uploads", ""}})), sha256_hex({}));
    impl_->add_object_headers(request, headers);
    impl_->send(Operation::create_multipart_upload, std::move(request), std::move(done));
}

void S3Client::upload_part(const std::string& key, const std::string& upload_id, int part_number, FileRange body,
                           Done done) {
    const std::string query =
        canonical_query({{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}});
    HttpRequest request = impl_->request("PUT", impl_->addressing().object_url(key, query), kUnsignedPayload);
    request.body_file = csh::webhook::FileBody{std::move(body.path), body.offset, body.length};
    request.response_headers = {"ETag"};
    impl_->send(Operation::upload_part, std::move(request), std::move(done));
}

void S3Client::complete_multipart_upload(const std::string& key, const std::string& upload_id,
                                         std::vector<CompletedPart> parts, Done done) {
    std::string body = complete_multipart_upload_body(parts);
    HttpRequest request = impl_->request(
        "POST", impl_->addressing().object_url(key, canonical_query({{"uploadId", upload_id}})), sha256_hex(body));
    request.headers.push_back("Content-Type: application/xml");
    request.body = std::move(body);
    impl_->send(Operation::complete_multipart_upload, std::move(request), std::move(done));
}

void S3Client::abort_multipart_upload(const std::string& key, const std::string& upload_id, Done done) {
    HttpRequest request = impl_->request(
        "DELETE", impl_->addressing().object_url(key, canonical_query({{"uploadId", upload_id}})), sha256_hex({}));
    impl_->send(Operation::abort_multipart_upload, std::move(request), std::move(done));
}

void S3Client::list_multipart_uploads(const std::string& prefix, Done done) {
    const std::string query = canonical_query({{"prefix", prefix}, {"uploads", ""}});
    HttpRequest request = impl_->request("GET", impl_->addressing().bucket_url() + "?" + query, sha256_hex({}));
    impl_->send(Operation::list_multipart_uploads, std::move(request), std::move(done));
}

}  // namespace audit_s3::s3
