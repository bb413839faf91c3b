// audit-s3: ContainerSSH's session recording (provides "audit/file" and
// "audit/s3"). Each connection's events are encoded (binary or asciicast)
// into a file as they happen; the file storage keeps it in its directory,
// the S3 storage spools it and uploads it to the bucket.
#include "audit_metrics.hpp"
#include "audit_settings.hpp"
#include "format/encoder.hpp"
#include "messages.hpp"
#include "recording.hpp"
#include "storage/storage.hpp"

#include <containerssh/sdk/audit.hpp>
#include <containerssh/sdk/plugin.hpp>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

namespace audit_s3 {

namespace {

const char* storage_name(const AuditSettings& settings) { return settings.storage == StorageKind::file ? "file" : "s3"; }

std::unique_ptr<Storage> make_storage(const csh::sdk::Host& host, const AuditSettings& settings,
                                      std::shared_ptr<const AuditMetrics> metrics) {
    if (settings.storage == StorageKind::file) return make_file_storage(host, settings.file_directory);
    return make_s3_storage(host, settings.s3, std::move(metrics));
}

}  // namespace

class AuditPlugin final : public csh::sdk::AuditPlugin {
public:
    explicit AuditPlugin(csh::sdk::Host host)
        : Plugin(host), settings_(parse_audit_settings(host.config_section("audit"))),
          metrics_(std::make_shared<const AuditMetrics>(this->host(), storage_name(settings_))),
          storage_(make_storage(this->host(), settings_, metrics_)) {
        this->host().log(codes::AUDIT_READY, "recording sessions as " + std::string(format_name()) + " to " +
                                                 storage_->describe(),
                         {{"format", format_name()}, {"storage", storage_name(settings_)}});
    }

protected:
    std::shared_ptr<csh::sdk::AuditStream> open_stream(const csh::sdk::ConnectionInfo& connection) override {
        const std::string path = storage_->directory() + "/" + std::string(connection.connection_id());
        const int fd = open_recording_file(path);
        if (fd < 0) {
            const int error = errno;
            metrics_->recording_refused();
            host().log(codes::AUDIT_RECORDING_UNAVAILABLE,
                       "cannot create the recording file; the connection is refused rather than served unrecorded",
                       {{"file", path}, {"cause", std::strerror(error)}}, connection.connection());
            return nullptr;
        }
        std::shared_ptr<RecordingObserver> observer = storage_->begin(connection, path);
        if (!observer) {
            ::close(fd);
            ::unlink(path.c_str());
            metrics_->recording_refused();
            return nullptr;
        }
        metrics_->recording_started();
        return std::make_shared<RecordingStream>(host(), connection.connection(), path, fd,
                                                 make_encoder(settings_.format), std::move(observer),
                                                 settings_.storage == StorageKind::s3 ? codes::AUDIT_S3_CLOSE_FAILED
                                                                                      : codes::AUDIT_WRITE_FAILED);
    }

    void flush(std::chrono::milliseconds deadline, csh::sdk::StatusCompletion done) override {
        storage_->flush(deadline, std::move(done));
    }

private:
    const char* format_name() const { return settings_.format == Format::binary ? "binary" : "asciinema"; }

    const AuditSettings settings_;
    std::shared_ptr<const AuditMetrics> metrics_;
    std::unique_ptr<Storage> storage_;
};

}  // namespace audit_s3

CSH_DECLARE_PLUGIN(audit_s3::AuditPlugin, "io.containerssh.audit.s3", "Audit recording", "0.1.0",
                   "Records every session in ContainerSSH's binary format or asciicast, to files or an S3 bucket.",
                   CSH_PROVIDES("audit/file", "audit/s3"), audit_s3::kMessageTable)
