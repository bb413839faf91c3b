// ContainerSSH's `audit` section (reference §2.10) as this plugin reads it:
// the format, the storage and the storage's own block, with the defaults of
// the original. The intercept flags are the core's (it decides which bytes
// become events), so they are accepted here and not read.
#pragma once

#include "format/encoder.hpp"
#include "s3/s3_settings.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace audit_s3 {

enum class StorageKind { file, s3 };

struct S3StorageSettings {
    s3::S3Settings connection;
    // The spool directory: every recording is written here first.
    std::string local = "/var/lib/audit";
    uint64_t upload_part_size = 5242880;
    unsigned parallel_uploads = 20;
    bool metadata_ip = false;
    bool metadata_username = false;
    // The objects' Content-Type: the format's (not a key; set from `format`).
    std::string content_type = "application/octet-stream";
};

struct AuditSettings {
    Format format = Format::binary;
    StorageKind storage = StorageKind::file;
    std::string file_directory = "/var/log/audit";
    S3StorageSettings s3;
};

// S3's limits on a part: at least 5 MiB (but the last), at most 5 GiB.
inline constexpr uint64_t kMinPartSize = 5ull * 1024 * 1024;
inline constexpr uint64_t kMaxPartSize = 5ull * 1024 * 1024 * 1024;

// Throws csh::sdk::Error(AUDIT_CONFIG_INVALID) naming the key: unknown keys,
// a format or storage this plugin does not have, a missing bucket or key, a
// part size below 5 MiB, no parallel upload, a directory that does not exist
// or cannot be written (checked by creating and removing a file in it, as
// the original does).
AuditSettings parse_audit_settings(std::string_view audit_section_json);

}  // namespace audit_s3
