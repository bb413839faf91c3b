// Where recordings go: a directory of finished files (audit/file) or a
// spool uploaded to a bucket (audit/s3). Both write the recording to a
// local file first; a storage decides where and learns what happens to it.
#pragma once

#include "audit_metrics.hpp"
#include "audit_settings.hpp"
#include "recording.hpp"

#include <containerssh/sdk/completion.hpp>
#include <containerssh/sdk/connection_info.hpp>
#include <containerssh/sdk/host.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace audit_s3 {

class Storage {
public:
    virtual ~Storage() = default;
    // The directory a connection's recording file is created in.
    virtual const std::string& directory() const = 0;
    // For the AUDIT_READY line: where recordings end up.
    virtual std::string describe() const = 0;
    // [connection-strand] The recording file `path` was created for
    // `connection`: the observer to tell as it is written, or nullptr when the
    // storage cannot take it (it logged why; the connection is refused).
    virtual std::shared_ptr<RecordingObserver> begin(const csh::sdk::ConnectionInfo& connection,
                                                     const std::string& path) = 0;
    // [control] The host stops and every recording is closed.
    virtual void flush(std::chrono::milliseconds deadline, csh::sdk::StatusCompletion done) {
        (void)deadline;
        done.ok();
    }
};

std::unique_ptr<Storage> make_file_storage(csh::sdk::Host host, std::string directory);
// Also starts the recovery of what an earlier run left in the spool.
std::unique_ptr<Storage> make_s3_storage(csh::sdk::Host host, S3StorageSettings settings,
                                         std::shared_ptr<const AuditMetrics> metrics);

}  // namespace audit_s3
