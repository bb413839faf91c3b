// The S3 storage's spool directory (audit.s3.local): every recording is
// written here as <connectionId> before and while it is uploaded, with a
// sidecar <connectionId>.metadata.json holding what the object's user
// metadata is made of. Both are removed once the object is in the bucket, so
// whatever is found here at start is a recording still to upload.
//
// The sidecar's fields are ContainerSSH's, so a spool left by the original
// is recovered too.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace audit_s3 {

struct SpoolMetadata {
    int64_t start_time = 0;  // Unix seconds of the connection's start
    std::string remote_addr;  // "ip:port" as the connect event has it
    bool authenticated = false;
    std::string username;
    std::string country;
};

std::string metadata_path(const std::string& recording_path);

// {"startTime":..,"remoteAddr":..,"authenticated":..,"username":..,"country":..}
std::string metadata_json(const SpoolMetadata& metadata);
// nullopt when the text is not such an object; unknown fields are ignored.
std::optional<SpoolMetadata> parse_metadata_json(const std::string& text);

// Replaces the sidecar of `recording_path` (write to a temporary name, then
// rename, so a crash leaves the old or the new one, never half of one).
// Returns 0 or the errno of the step that failed, with `failed_code` set to
// the message code that names the step.
int write_metadata_file(const std::string& recording_path, const SpoolMetadata& metadata, const char*& failed_code);

// The S3 user metadata of a recording: timestamp, authenticated, country,
// and username (when authenticated) and ip only when asked for.
std::vector<std::pair<std::string, std::string>> user_metadata(const SpoolMetadata& metadata, bool with_username,
                                                               bool with_ip);

struct SpoolEntry {
    std::string name;  // the connection id, the object key
    uint64_t size = 0;
};

struct SpoolScan {
    std::vector<SpoolEntry> recordings;  // non-empty recordings
    std::vector<std::string> empty;      // recordings without a byte: nothing to upload
    std::vector<std::string> orphaned_metadata;  // sidecars whose recording is gone
    std::vector<std::pair<std::string, int>> unreadable;  // name, errno of stat
};

// The recordings left in `directory`: regular files without a '.' in their
// name (sidecars, the access probe and temporaries all have one).
SpoolScan scan_spool(const std::string& directory);

}  // namespace audit_s3
