// audit/file: the recording file is the stored recording,
// <audit.file.directory>/<connectionId>, as the original names it.
#include "messages.hpp"
#include "storage/storage.hpp"

namespace audit_s3 {

namespace {

class StoredWhenFinished final : public RecordingObserver {
public:
    StoredWhenFinished(csh::sdk::Host host, std::string path, csh_connection* connection)
        : host_(std::move(host)), path_(std::move(path)), connection_(connection) {}

    void recorded(const csh::sdk::AuditEvent&, uint64_t) override {}
    void finished(uint64_t size_on_disk, bool complete) override {
        host_.log(codes::AUDIT_RECORDING_STORED, complete ? "recording stored" : "recording stored, cut short",
                  {{"file", path_}, {"bytes", std::to_string(size_on_disk)}}, connection_);
    }

private:
    csh::sdk::Host host_;
    std::string path_;
    csh_connection* connection_;
};

class FileStorage final : public Storage {
public:
    FileStorage(csh::sdk::Host host, std::string directory) : host_(std::move(host)), directory_(std::move(directory)) {}

    const std::string& directory() const override { return directory_; }
    std::string describe() const override { return "files in " + directory_; }
    std::shared_ptr<RecordingObserver> begin(const csh::sdk::ConnectionInfo& connection,
                                             const std::string& path) override {
        return std::make_shared<StoredWhenFinished>(host_, path, connection.connection());
    }

private:
    csh::sdk::Host host_;
    std::string directory_;
};

}  // namespace

std::unique_ptr<Storage> make_file_storage(csh::sdk::Host host, std::string directory) {
    return std::make_unique<FileStorage>(std::move(host), std::move(directory));
}

}  // namespace audit_s3
