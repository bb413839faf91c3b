// Moves the recordings of the spool directory into the bucket, while they
// are being written and after, on one strand of the host's loop.
//
// A recording is uploaded as it grows: once a part's worth of bytes
// (audit.s3.uploadPartSize) is on disk, a multipart upload starts and each
// full part is sent, numbered from 1; when the recording ends, the rest goes
// as the last part and the upload is completed. A recording that ends before
// it reaches one part is sent in a single PUT. At most parallelUploads
// parts or PUTs are in flight at once, over all recordings. Bodies are read
// from the spool file when sent, so memory does not grow with recordings.
//
// Nothing is given up while the gateway runs: a failed request is tried
// again after a back-off (1 s doubling to 60 s, with jitter), so an S3
// outage of any length only lets the spool grow. A multipart upload that S3
// no longer knows (NoSuchUpload) starts over. Once the object is complete
// the spool file and its sidecar are removed.
//
// At start, recover() takes over what an earlier run left in the spool: the
// bucket's unfinished multipart uploads for those keys are aborted, then
// each recording is uploaded whole.
#pragma once

#include "audit_metrics.hpp"
#include "audit_settings.hpp"
#include "s3/s3_client.hpp"
#include "storage/spool.hpp"

#include <containerssh/sdk/completion.hpp>
#include <containerssh/sdk/host.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace audit_s3 {

class S3Uploader : public std::enable_shared_from_this<S3Uploader> {
public:
    S3Uploader(csh::sdk::Host host, S3StorageSettings settings, std::shared_ptr<const AuditMetrics> metrics);
    ~S3Uploader();
    S3Uploader(const S3Uploader&) = delete;
    S3Uploader& operator=(const S3Uploader&) = delete;

    const S3StorageSettings& settings() const { return settings_; }

    // [control], once, before the first connection: takes over the
    // recordings an earlier run left in the spool directory.
    void recover();

    // [any-thread] A recording was started in the spool (`key` is its file name).
    void started(const std::string& key, const SpoolMetadata& metadata);
    // [any-thread] Its metadata changed (the user logged in).
    void metadata_changed(const std::string& key, const SpoolMetadata& metadata);
    // [any-thread] It has `size` bytes on disk now.
    void grew(const std::string& key, uint64_t size);
    // [any-thread] It is finished with `size` bytes on disk.
    void finished(const std::string& key, uint64_t size);

    // [control] The host stops: calls `done` when every recording is in the
    // bucket, or just before `deadline` (what is left stays in the spool for
    // the next start, AUDIT_S3_FLUSH_INCOMPLETE).
    void flush(std::chrono::milliseconds deadline, csh::sdk::StatusCompletion done);

private:
    struct PartJob {
        int number = 0;
        uint64_t offset = 0;
        uint64_t length = 0;
    };
    struct Upload {
        std::string key;
        std::string path;
        SpoolMetadata metadata;
        uint64_t size = 0;
        bool finished = false;
        bool held = false;  // recovered, waiting for stale uploads to be aborted
        // Multipart state.
        std::string upload_id;
        bool creating = false;
        uint64_t assigned = 0;                 // bytes handed to parts so far
        std::vector<PartJob> to_resend;        // parts that failed
        std::vector<s3::CompletedPart> parts;  // parts S3 has
        int parts_in_flight = 0;
        bool completing = false;
        bool putting = false;  // the single PUT is in flight
        // Back-off.
        unsigned failures = 0;
        // The last failure cannot pass by waiting (403, 404): at shutdown
        // the flush does not wait for it.
        bool stuck = false;
        csh::sdk::Timer retry;
    };

    template <class Fn>
    void on_strand(Fn&& fn);
    void pump();
    void pump(Upload& upload);
    void start_create(Upload& upload);
    void start_part(Upload& upload, PartJob job);
    void start_complete(Upload& upload);
    void start_put(Upload& upload);
    void failed(Upload& upload, const char* operation, const char* code, const std::string& what,
                const s3::S3Result& result);
    void succeeded(Upload& upload);
    void done(Upload& upload);
    void restart_multipart(Upload& upload);
    void list_stale(const std::string& key, unsigned attempt);
    void abort_stale(const std::string& key, const std::vector<s3::PendingUpload>& stale);
    void release_held(const std::string& key);
    Upload* find(const std::string& key);
    s3::ObjectHeaders headers(const Upload& upload) const;
    void log(const char* code, const std::string& message, const Upload& upload,
             std::initializer_list<csh::sdk::LogField> extra = {}) const;
    void check_flush();
    void finish_flush(const char* why);

    csh::sdk::Host host_;
    const S3StorageSettings settings_;
    std::shared_ptr<const AuditMetrics> metrics_;
    csh_strand* strand_;
    std::unique_ptr<s3::S3Client> client_;
    std::map<std::string, Upload> uploads_;
    unsigned slots_in_use_ = 0;
    std::minstd_rand random_;
    std::optional<csh::sdk::StatusCompletion> flush_done_;
    csh::sdk::Timer flush_deadline_;
};

}  // namespace audit_s3
