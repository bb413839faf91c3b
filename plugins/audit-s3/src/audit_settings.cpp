#include "audit_settings.hpp"

#include "messages.hpp"

#include <containerssh/sdk/json_config.hpp>
#include <containerssh/sdk/pem_source.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace audit_s3 {

namespace {

using csh::sdk::ConfigNode;

Format parse_format(const ConfigNode& audit) {
    const std::string format = audit.string("format", "none");
    if (format == "binary") return Format::binary;
    if (format == "asciinema") return Format::asciinema;
    audit.get("format").value_or(audit).fail("must be binary or asciinema when audit recording is enabled (it is \"" +
                                             format + "\")");
}

// Creates and removes a probe file, so a directory that cannot take a
// recording stops the start instead of the first connection.
void require_writable_directory(const ConfigNode& key, const std::string& directory) {
    if (directory.empty()) key.fail("must name a directory");
    const std::string probe = directory + "/.accesstest";
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        key.fail("the directory " + directory + " cannot be written: " + std::strerror(errno));
    }
    ::close(fd);
    ::unlink(probe.c_str());
}

std::string required_string(const ConfigNode& block, std::string_view key) {
    auto value = block.optional_string(key);
    if (!value || value->empty()) block.fail(std::string(key) + " is required");
    return *value;
}

S3StorageSettings parse_s3(const ConfigNode& audit) {
    auto block = audit.get("s3");
    if (!block) audit.fail("s3 is required when storage is s3 (accessKey, secretKey and bucket at least)");
    S3StorageSettings s3;
    s3.local = block->string("local", s3.local);
    require_writable_directory(block->get("local").value_or(*block), s3.local);
    s3.connection.access_key = required_string(*block, "accessKey");
    s3.connection.secret_key = required_string(*block, "secretKey");
    s3.connection.bucket = required_string(*block, "bucket");
    s3.connection.region = block->string("region", "");
    s3.connection.endpoint = block->string("endpoint", "");
    if (!s3.connection.endpoint.empty() && s3.connection.endpoint.rfind("http://", 0) != 0 &&
        s3.connection.endpoint.rfind("https://", 0) != 0) {
        block->get("endpoint")->fail("must start with http:// or https://");
    }
    if (auto cacert = block->optional_string("cacert")) {
        try {
            s3.connection.cacert_pem = csh::sdk::load_pem("cacert", *cacert);
        } catch (const std::exception& e) {
            block->get("cacert")->fail(e.what());
        }
    }
    s3.connection.acl = block->string("acl", "");
    s3.connection.path_style = block->boolean("pathStyleAccess", false);
    s3.upload_part_size = block->uint("uploadPartSize", s3.upload_part_size);
    if (s3.upload_part_size < kMinPartSize) {
        block->get("uploadPartSize")->fail("must be at least 5242880 (5 MiB), S3's smallest part");
    }
    // As the original: a part larger than S3 allows is made the largest.
    if (s3.upload_part_size > kMaxPartSize) s3.upload_part_size = kMaxPartSize;
    const uint64_t parallel = block->uint("parallelUploads", s3.parallel_uploads);
    if (parallel < 1 || parallel > 1000) block->get("parallelUploads")->fail("must be between 1 and 1000");
    s3.parallel_uploads = static_cast<unsigned>(parallel);
    if (auto metadata = block->get("metadata")) {
        metadata->allow_only({"ip", "username"});
        s3.metadata_ip = metadata->boolean("ip", false);
        s3.metadata_username = metadata->boolean("username", false);
    }
    return s3;
}

}  // namespace

AuditSettings parse_audit_settings(std::string_view audit_section_json) {
    csh::sdk::JsonConfig document(audit_section_json, codes::AUDIT_CONFIG_INVALID, "audit");
    const ConfigNode audit = document.root();
    if (!audit.is_object()) audit.fail("the audit section is missing");
    audit.allow_only({"enable", "format", "storage", "intercept", "file", "s3"});

    // Both storages' blocks are checked for unknown keys whichever is in
    // use, so a typo shows before the day someone switches storage.
    if (auto file = audit.get("file")) file->allow_only({"directory"});
    if (auto s3 = audit.get("s3")) {
        s3->allow_only({"local", "accessKey", "secretKey", "bucket", "region", "endpoint", "cacert", "acl",
                        "pathStyleAccess", "uploadPartSize", "parallelUploads", "metadata"});
    }

    AuditSettings settings;
    settings.format = parse_format(audit);
    const std::string storage = audit.string("storage", "none");
    if (storage == "file") {
        settings.storage = StorageKind::file;
        auto file = audit.get("file");
        if (file) settings.file_directory = file->string("directory", settings.file_directory);
        require_writable_directory(file ? file->get("directory").value_or(*file) : audit, settings.file_directory);
    } else if (storage == "s3") {
        settings.storage = StorageKind::s3;
        settings.s3 = parse_s3(audit);
        settings.s3.content_type = std::string(content_type(settings.format));
    } else {
        audit.get("storage").value_or(audit).fail("must be file or s3 for this plugin (it is \"" + storage + "\")");
    }
    return settings;
}

}  // namespace audit_s3
