// How an HTTP exchange with S3 ends for the caller: success with what the
// operation returns (ETag, UploadId, the pending uploads), or S3's error code
// and whether trying again later may help.
#pragma once

#include "s3/s3_client.hpp"

#include <csh/webhook/http_client.hpp>

#include <string>

namespace audit_s3::s3 {

enum class Operation {
    put_object,
    create_multipart_upload,
    upload_part,
    complete_multipart_upload,
    abort_multipart_upload,
    list_multipart_uploads,
};

// Retryable: 5xx, 429, and the 4xx codes S3 uses for a passing condition
// (RequestTimeout, SlowDown); every other 4xx (403, 404, NoSuchUpload)
// needs a change before another try can succeed.
bool is_retryable(long status, const std::string& code);

// A 200 with an <Error> document (CompleteMultipartUpload may answer so
// after it started) is a failure like the status it stands for.
S3Result to_s3_result(Operation operation, csh::webhook::HttpResult http);

}  // namespace audit_s3::s3
