#include "s3/s3_result.hpp"

#include "s3/s3_xml.hpp"

#include <utility>

namespace audit_s3::s3 {
namespace {

S3Result failure(long status, std::string error, bool retryable) {
    S3Result result;
    result.status = status;
    result.error = std::move(error);
    result.retryable = retryable;
    return result;
}

std::string header(const csh::webhook::HttpResult& http, const char* name) {
    for (const auto& [key, value] : http.headers) {
        if (key == name) return value;
    }
    return {};
}

}  // namespace

bool is_retryable(long status, const std::string& code) {
    if (code == "RequestTimeout" || code == "SlowDown" || code == "InternalError" || code == "ServiceUnavailable") {
        return true;
    }
    return status == 429 || (status >= 500 && status <= 599);
}

S3Result to_s3_result(Operation operation, csh::webhook::HttpResult http) {
    if (http.cancelled) {
        S3Result result;
        result.cancelled = true;
        result.error = "cancelled";
        return result;
    }
    if (http.failure_code != nullptr) {
        if (http.status == 0) return failure(0, std::move(http.failure), http.transient);
        // A refused redirect (S3's PermanentRedirect to the bucket's region)
        // or an answer over 1 MiB: the configuration or the server is wrong.
        return failure(http.status, std::move(http.failure), false);
    }
    const XmlAnswer answer = parse_answer(http.body);
    const bool success = http.status >= 200 && http.status <= 299 && answer.root != "Error";
    if (!success) {
        std::string code = answer.code;
        if (code.empty()) code = "HTTP " + std::to_string(http.status);  // HEAD-like answers carry no body
        const long status = http.status;
        return failure(status, std::move(code), is_retryable(status >= 300 ? status : 500, answer.code));
    }

    S3Result result;
    result.ok = true;
    result.status = http.status;
    switch (operation) {
        case Operation::put_object:
        case Operation::upload_part:
            result.etag = header(http, "etag");
            if (result.etag.empty() && operation == Operation::upload_part) {
                return failure(http.status, "the answer to UploadPart has no ETag", false);
            }
            break;
        case Operation::create_multipart_upload:
            result.upload_id = answer.upload_id;
            if (result.upload_id.empty()) {
                return failure(http.status, "the answer to CreateMultipartUpload has no UploadId", false);
            }
            break;
        case Operation::list_multipart_uploads:
            if (!answer.parsed || answer.root != "ListMultipartUploadsResult") {
                return failure(http.status, "the answer to ListMultipartUploads is not a ListMultipartUploadsResult",
                               false);
            }
            result.uploads = answer.uploads;
            break;
        case Operation::complete_multipart_upload:
        case Operation::abort_multipart_upload:
            break;
    }
    return result;
}

}  // namespace audit_s3::s3
