// How to reach the bucket: the connection part of ContainerSSH's audit.s3
// block (reference §2.10), as parsed by audit_settings.cpp.
#pragma once

#include <string>

namespace audit_s3::s3 {

struct S3Settings {
    std::string access_key;
    std::string secret_key;  // never logged
    std::string bucket;
    // Empty means us-east-1.
    std::string region;
    // Empty means AWS: https://s3.<region>.amazonaws.com. Otherwise a base
    // URL such as http://127.0.0.1:9000 (MinIO, s3rver, Ceph).
    std::string endpoint;
    // The CA bundle to trust, as PEM text (read from the file at start when
    // the key named one); empty means the system's store.
    std::string cacert_pem;
    // A canned ACL sent as x-amz-acl ("private", "bucket-owner-full-control"), or empty.
    std::string acl;
    // true: http://endpoint/bucket/key; false: http://bucket.endpoint/key.
    bool path_style = false;
};

}  // namespace audit_s3::s3
