// The S3 requests an audit upload needs, each signed with AWS Signature V4
// by libcurl (CURLOPT_AWS_SIGV4) and run on the host's event loop (libcurl's
// multi interface driven by host fd watches and timers): no thread of its
// own, nothing that blocks a loop thread.
//
// Every call may be made from any thread; `done` runs once, on the client's
// strand. A request is one HTTP attempt within `request_timeout`; retries
// are the caller's (the uploader's back-off rides out outages of minutes).
#pragma once

#include "s3/s3_settings.hpp"

#include <containerssh/sdk/host.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace audit_s3::s3 {

// A byte range of a local file, read when the request is sent (so a part
// in flight is not held in memory).
struct FileRange {
    std::string path;
    uint64_t offset = 0;
    uint64_t length = 0;
};

struct ObjectHeaders {
    std::string content_type;
    // x-amz-meta-<name>: <value>; names in lower case.
    std::vector<std::pair<std::string, std::string>> user_metadata;
};

struct CompletedPart {
    int number = 0;  // from 1
    std::string etag;
};

struct PendingUpload {
    std::string key;
    std::string upload_id;
};

struct S3Result {
    bool ok = false;
    // The HTTP status of the last answer, 0 when none arrived.
    long status = 0;
    // On failure: S3's error code ("NoSuchUpload", "AccessDenied") or the
    // transport's reason, and whether trying again later may help (transport
    // failures, 5xx, 429, RequestTimeout; not 403 or 404).
    std::string error;
    bool retryable = false;
    // The client was destroyed before the request ended.
    bool cancelled = false;

    std::string upload_id;               // create_multipart_upload
    std::string etag;                    // upload_part, put_object
    std::vector<PendingUpload> uploads;  // list_multipart_uploads
};

class S3Client {
public:
    using Done = std::function<void(S3Result)>;

    S3Client(csh::sdk::Host host, S3Settings settings,
             std::chrono::milliseconds request_timeout = std::chrono::seconds(60));
    // Completes every pending `done` with cancelled=true. [control], after
    // the host loop stopped or from the plugin's deinit.
    ~S3Client();
    S3Client(const S3Client&) = delete;
    S3Client& operator=(const S3Client&) = delete;

    // The object's URL without credentials, for log lines.
    std::string object_url(const std::string& key) const;

    void put_object(const std::string& key, FileRange body, const ObjectHeaders& headers, Done done);
    void create_multipart_upload(const std::string& key, const ObjectHeaders& headers, Done done);
    void upload_part(const std::string& key, const std::string& upload_id, int part_number, FileRange body,
                     Done done);
    void complete_multipart_upload(const std::string& key, const std::string& upload_id,
                                   std::vector<CompletedPart> parts, Done done);
    void abort_multipart_upload(const std::string& key, const std::string& upload_id, Done done);
    // The bucket's unfinished multipart uploads whose key starts with `prefix`.
    void list_multipart_uploads(const std::string& prefix, Done done);

private:
    class Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace audit_s3::s3
