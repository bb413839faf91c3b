// audit/s3: recordings are spooled in audit.s3.local and uploaded by the
// S3Uploader as they grow. The observer here keeps the sidecar metadata
// file current and wakes the uploader only when a new part's worth of bytes
// is on disk and when the recording ends, not at every event.
#include "messages.hpp"
#include "storage/s3_uploader.hpp"
#include "storage/spool.hpp"
#include "storage/storage.hpp"

#include <unistd.h>

#include <cstring>
#include <ctime>

namespace audit_s3 {

namespace {

class SpooledRecording final : public RecordingObserver {
public:
    SpooledRecording(csh::sdk::Host host, std::shared_ptr<S3Uploader> uploader, std::string key, std::string path,
                     SpoolMetadata metadata, csh_connection* connection)
        : host_(std::move(host)), uploader_(std::move(uploader)), key_(std::move(key)), path_(std::move(path)),
          metadata_(std::move(metadata)), connection_(connection),
          part_size_(uploader_->settings().upload_part_size) {}

    void recorded(const csh::sdk::AuditEvent& event, uint64_t size_on_disk) override {
        if (update_metadata(event)) {
            save_metadata();
            uploader_->metadata_changed(key_, metadata_);
        }
        if (size_on_disk / part_size_ > parts_announced_) {
            parts_announced_ = size_on_disk / part_size_;
            uploader_->grew(key_, size_on_disk);
        }
    }

    void finished(uint64_t size_on_disk, bool /*complete*/) override {
        connection_ = nullptr;  // the connection goes away after this
        uploader_->finished(key_, size_on_disk);
    }

private:
    // What the object's user metadata is made of: the connection's start and
    // address (connect), whether and as whom the user logged in.
    bool update_metadata(const csh::sdk::AuditEvent& event) {
        switch (event.type()) {
            case CSH_AUDIT_CONNECT:
                metadata_.start_time = event.timestamp_ns() / 1000000000;
                for (size_t i = 0; i < event.field_count(); ++i) {
                    const auto field = event.field(i);
                    if (field.key() == "remoteAddr") metadata_.remote_addr = field.string();
                    if (field.key() == "country") metadata_.country = field.string();
                }
                return true;
            case CSH_AUDIT_HANDSHAKE_SUCCESSFUL:
                metadata_.authenticated = true;
                for (size_t i = 0; i < event.field_count(); ++i) {
                    const auto field = event.field(i);
                    if (field.key() == "username") metadata_.username = field.string();
                }
                return true;
            default:
                return false;
        }
    }

    void save_metadata() {
        const char* failed_code = nullptr;
        if (const int error = write_metadata_file(path_, metadata_, failed_code)) {
            host_.log(failed_code, "cannot update the recording's metadata file",
                      {{"file", metadata_path(path_)}, {"cause", std::strerror(error)}}, connection_);
        }
    }

    csh::sdk::Host host_;
    std::shared_ptr<S3Uploader> uploader_;
    std::string key_;
    std::string path_;
    SpoolMetadata metadata_;
    csh_connection* connection_;
    const uint64_t part_size_;
    uint64_t parts_announced_ = 0;
};

class S3Storage final : public Storage {
public:
    S3Storage(csh::sdk::Host host, S3StorageSettings settings, std::shared_ptr<const AuditMetrics> metrics)
        : host_(std::move(host)),
          uploader_(std::make_shared<S3Uploader>(host_, std::move(settings), std::move(metrics))) {
        uploader_->recover();
    }

    const std::string& directory() const override { return uploader_->settings().local; }
    std::string describe() const override {
        const auto& s3 = uploader_->settings();
        return "bucket " + s3.connection.bucket + (s3.connection.endpoint.empty() ? "" : " at " + s3.connection.endpoint) +
               ", spooled in " + s3.local;
    }

    std::shared_ptr<RecordingObserver> begin(const csh::sdk::ConnectionInfo& connection,
                                             const std::string& path) override {
        const std::string key(connection.connection_id());
        SpoolMetadata metadata;
        metadata.start_time = static_cast<int64_t>(std::time(nullptr));
        metadata.remote_addr = std::string(connection.remote_address());
        const char* failed_code = nullptr;
        if (const int error = write_metadata_file(path, metadata, failed_code)) {
            host_.log(failed_code, "cannot create the recording's metadata file; the connection is refused",
                      {{"file", metadata_path(path)}, {"cause", std::strerror(error)}}, connection.connection());
            return nullptr;
        }
        uploader_->started(key, metadata);
        return std::make_shared<SpooledRecording>(host_, uploader_, key, path, metadata, connection.connection());
    }

    void flush(std::chrono::milliseconds deadline, csh::sdk::StatusCompletion done) override {
        uploader_->flush(deadline, std::move(done));
    }

private:
    csh::sdk::Host host_;
    std::shared_ptr<S3Uploader> uploader_;
};

}  // namespace

std::unique_ptr<Storage> make_s3_storage(csh::sdk::Host host, S3StorageSettings settings,
                                         std::shared_ptr<const AuditMetrics> metrics) {
    return std::make_unique<S3Storage>(std::move(host), std::move(settings), std::move(metrics));
}

}  // namespace audit_s3
