#include "storage/s3_uploader.hpp"

#include "messages.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace audit_s3 {

namespace {

constexpr std::chrono::milliseconds kFirstRetry{1000};
constexpr std::chrono::milliseconds kLongestRetry{60000};
// Listing stale uploads is only worth a few tries: servers that do not
// implement it answer an error every time.
constexpr unsigned kListAttempts = 3;
// The flush gives up this long before the host's deadline, so its own
// AUDIT_S3_FLUSH_INCOMPLETE line comes before the host's timeout.
constexpr std::chrono::milliseconds kFlushMargin{250};

std::string describe(const s3::S3Result& result) {
    std::string text = result.error.empty() ? "unknown error" : result.error;
    if (result.status != 0) text += " (HTTP " + std::to_string(result.status) + ")";
    return text;
}

}  // namespace

S3Uploader::S3Uploader(csh::sdk::Host host, S3StorageSettings settings, std::shared_ptr<const AuditMetrics> metrics)
    : host_(std::move(host)), settings_(std::move(settings)), metrics_(std::move(metrics)),
      strand_(host_.strand_create()),
      client_(std::make_unique<s3::S3Client>(host_, settings_.connection)), random_(std::random_device{}()) {}

S3Uploader::~S3Uploader() {
    // The client first: it completes what is pending as cancelled, and the
    // callbacks hold only weak references.
    client_.reset();
    uploads_.clear();
    flush_deadline_.cancel();
    host_.strand_destroy(strand_);
}

template <class Fn>
void S3Uploader::on_strand(Fn&& fn) {
    host_.post(strand_, [weak = weak_from_this(), fn = std::forward<Fn>(fn)]() mutable {
        if (auto self = weak.lock()) fn(*self);
    });
}

S3Uploader::Upload* S3Uploader::find(const std::string& key) {
    auto it = uploads_.find(key);
    return it == uploads_.end() ? nullptr : &it->second;
}

void S3Uploader::log(const char* code, const std::string& message, const Upload& upload,
                     std::initializer_list<csh::sdk::LogField> extra) const {
    std::vector<csh::sdk::LogField> fields{
        {"connectionId", upload.key}, {"bucket", settings_.connection.bucket}, {"object", upload.key}};
    fields.insert(fields.end(), extra.begin(), extra.end());
    host_.log(code, message, fields);
}

s3::ObjectHeaders S3Uploader::headers(const Upload& upload) const {
    return {settings_.content_type,
            user_metadata(upload.metadata, settings_.metadata_username, settings_.metadata_ip)};
}

// ---- events from connections ----

void S3Uploader::started(const std::string& key, const SpoolMetadata& metadata) {
    on_strand([key, metadata](S3Uploader& self) {
        Upload& upload = self.uploads_[key];
        upload.key = key;
        upload.path = self.settings_.local + "/" + key;
        upload.metadata = metadata;
        self.metrics_->pending_uploads(self.uploads_.size());
    });
}

void S3Uploader::metadata_changed(const std::string& key, const SpoolMetadata& metadata) {
    on_strand([key, metadata](S3Uploader& self) {
        if (Upload* upload = self.find(key)) upload->metadata = metadata;
    });
}

void S3Uploader::grew(const std::string& key, uint64_t size) {
    on_strand([key, size](S3Uploader& self) {
        Upload* upload = self.find(key);
        if (upload == nullptr) return;
        upload->size = std::max(upload->size, size);
        self.pump(*upload);
    });
}

void S3Uploader::finished(const std::string& key, uint64_t size) {
    on_strand([key, size](S3Uploader& self) {
        Upload* upload = self.find(key);
        if (upload == nullptr) return;
        upload->size = std::max(upload->size, size);
        upload->finished = true;
        self.pump(*upload);
    });
}

// ---- the upload state machine (strand) ----

void S3Uploader::pump() {
    // By key, since pump(upload) may finish (erase) an upload.
    std::vector<std::string> keys;
    keys.reserve(uploads_.size());
    for (const auto& entry : uploads_) keys.push_back(entry.first);
    for (const std::string& key : keys) {
        if (Upload* upload = find(key)) pump(*upload);
    }
}

void S3Uploader::pump(Upload& upload) {
    if (upload.held || upload.retry.armed() || upload.creating || upload.completing || upload.putting) return;
    const uint64_t part = settings_.upload_part_size;
    if (upload.upload_id.empty()) {
        if (upload.finished && upload.size <= part) {
            if (upload.size == 0) {
                done(upload);  // nothing was ever written: nothing to store
            } else if (slots_in_use_ < settings_.parallel_uploads) {
                start_put(upload);
            }
        } else if (upload.size >= part) {
            start_create(upload);
        }
        return;
    }
    while (slots_in_use_ < settings_.parallel_uploads) {
        if (!upload.to_resend.empty()) {
            PartJob job = upload.to_resend.back();
            upload.to_resend.pop_back();
            start_part(upload, job);
            continue;
        }
        const uint64_t waiting = upload.size - upload.assigned;
        if (waiting >= part || (upload.finished && waiting > 0)) {
            PartJob job{static_cast<int>(upload.assigned / part) + 1, upload.assigned, std::min(waiting, part)};
            upload.assigned += job.length;
            start_part(upload, job);
            continue;
        }
        break;
    }
    if (upload.finished && upload.assigned == upload.size && upload.to_resend.empty() && upload.parts_in_flight == 0) {
        start_complete(upload);
    }
}

void S3Uploader::start_put(Upload& upload) {
    upload.putting = true;
    ++slots_in_use_;
    log(codes::AUDIT_S3_SINGLE_UPLOAD, "uploading the recording in one request", upload,
        {{"bytes", std::to_string(upload.size)}});
    client_->put_object(upload.key, {upload.path, 0, upload.size}, headers(upload),
                        [weak = weak_from_this(), key = upload.key](s3::S3Result result) {
                            auto self = weak.lock();
                            if (!self || result.cancelled) return;
                            self->on_strand([key, result = std::move(result)](S3Uploader& me) {
                                --me.slots_in_use_;
                                Upload* upload = me.find(key);
                                if (upload == nullptr) return;
                                upload->putting = false;
                                if (result.ok) {
                                    me.log(codes::AUDIT_S3_SINGLE_UPLOAD_COMPLETE, "uploaded the recording", *upload);
                                    me.metrics_->uploaded(upload->size);
                                    me.succeeded(*upload);
                                    me.done(*upload);
                                } else {
                                    me.failed(*upload, "put", codes::AUDIT_S3_SINGLE_UPLOAD_FAILED,
                                              "uploading the recording failed", result);
                                }
                                me.pump();
                            });
                        });
}

void S3Uploader::start_create(Upload& upload) {
    upload.creating = true;
    log(codes::AUDIT_S3_MULTIPART_UPLOAD, "starting a multipart upload", upload);
    client_->create_multipart_upload(
        upload.key, headers(upload), [weak = weak_from_this(), key = upload.key](s3::S3Result result) {
            auto self = weak.lock();
            if (!self || result.cancelled) return;
            self->on_strand([key, result = std::move(result)](S3Uploader& me) {
                Upload* upload = me.find(key);
                if (upload == nullptr) return;
                upload->creating = false;
                if (result.ok && !result.upload_id.empty()) {
                    upload->upload_id = result.upload_id;
                    me.succeeded(*upload);
                } else {
                    me.failed(*upload, "create", codes::AUDIT_S3_MULTIPART_UPLOAD_INITIALIZATION_FAILED,
                              "starting the multipart upload failed", result);
                }
                me.pump(*upload);
            });
        });
}

void S3Uploader::start_part(Upload& upload, PartJob job) {
    ++upload.parts_in_flight;
    ++slots_in_use_;
    log(codes::AUDIT_S3_MULTIPART_PART_UPLOADING, "uploading a part", upload,
        {{"part", std::to_string(job.number)}, {"bytes", std::to_string(job.length)}});
    client_->upload_part(
        upload.key, upload.upload_id, job.number, {upload.path, job.offset, job.length},
        [weak = weak_from_this(), key = upload.key, id = upload.upload_id, job](s3::S3Result result) {
            auto self = weak.lock();
            if (!self || result.cancelled) return;
            self->on_strand([key, id, job, result = std::move(result)](S3Uploader& me) {
                --me.slots_in_use_;
                Upload* upload = me.find(key);
                if (upload == nullptr) return;
                if (upload->upload_id != id) {
                    me.pump();  // an answer for an upload that was started over
                    return;
                }
                --upload->parts_in_flight;
                if (result.ok) {
                    me.log(codes::AUDIT_S3_MULTIPART_PART_UPLOAD_COMPLETE, "uploaded a part", *upload,
                           {{"part", std::to_string(job.number)}});
                    upload->parts.push_back({job.number, result.etag});
                    me.metrics_->uploaded(job.length);
                    me.succeeded(*upload);
                } else if (result.error == "NoSuchUpload") {
                    me.restart_multipart(*upload);
                } else {
                    upload->to_resend.push_back(job);
                    me.failed(*upload, "part", codes::AUDIT_S3_MULTIPART_PART_UPLOAD_FAILED, "uploading a part failed",
                              result);
                }
                me.pump();
            });
        });
}

void S3Uploader::start_complete(Upload& upload) {
    upload.completing = true;
    log(codes::AUDIT_S3_MULTIPART_UPLOAD_FINALIZING, "completing the multipart upload", upload,
        {{"parts", std::to_string(upload.parts.size())}});
    std::vector<s3::CompletedPart> parts = upload.parts;
    std::sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.number < b.number; });
    client_->complete_multipart_upload(
        upload.key, upload.upload_id, std::move(parts),
        [weak = weak_from_this(), key = upload.key, id = upload.upload_id](s3::S3Result result) {
            auto self = weak.lock();
            if (!self || result.cancelled) return;
            self->on_strand([key, id, result = std::move(result)](S3Uploader& me) {
                Upload* upload = me.find(key);
                if (upload == nullptr || upload->upload_id != id) return;
                upload->completing = false;
                if (result.ok) {
                    me.log(codes::AUDIT_S3_MULTIPART_UPLOAD_FINALIZED, "completed the multipart upload", *upload);
                    me.done(*upload);
                } else if (result.error == "NoSuchUpload") {
                    me.restart_multipart(*upload);
                    me.pump(*upload);
                } else {
                    me.failed(*upload, "complete", codes::AUDIT_S3_MULTIPART_UPLOAD_FINALIZATION_FAILED,
                              "completing the multipart upload failed", result);
                }
            });
        });
}

// S3 forgot the upload (aborted by a lifecycle rule or an operator): send
// the whole recording again under a new one.
void S3Uploader::restart_multipart(Upload& upload) {
    log(codes::AUDIT_S3_MULTIPART_UPLOAD_INITIALIZATION_FAILED,
        "the bucket no longer knows the multipart upload; starting it over", upload);
    upload.upload_id.clear();
    upload.assigned = 0;
    upload.to_resend.clear();
    upload.parts.clear();
    upload.parts_in_flight = 0;
    upload.completing = false;
}

void S3Uploader::failed(Upload& upload, const char* operation, const char* code, const std::string& what,
                        const s3::S3Result& result) {
    metrics_->request_failed(operation);
    ++upload.failures;
    upload.stuck = !result.retryable;
    auto wait = kFirstRetry * (1u << std::min(upload.failures - 1, 6u));
    wait = std::min<std::chrono::milliseconds>(wait, kLongestRetry);
    // ±20 % so that recordings failing together do not retry together.
    const auto jitter = static_cast<long>(wait.count() / 5);
    wait += std::chrono::milliseconds(static_cast<long>(random_() % static_cast<unsigned long>(2 * jitter + 1)) - jitter);
    log(code, what + ": " + describe(result), upload, {{"attempt", std::to_string(upload.failures)}});
    log(codes::AUDIT_S3_UPLOAD_RETRY, "trying again in " + std::to_string(wait.count()) + " ms", upload,
        {{"retryable", result.retryable ? "true" : "false"}});
    upload.retry = host_.timer_start(strand_, wait, [weak = weak_from_this()] {
        if (auto self = weak.lock()) self->pump();
    });
    check_flush();
}

void S3Uploader::succeeded(Upload& upload) {
    upload.failures = 0;
    upload.stuck = false;
}

void S3Uploader::done(Upload& upload) {
    if (upload.size > 0) {
        log(codes::AUDIT_S3_UPLOAD_COMPLETE, "the recording is in the bucket", upload,
            {{"bytes", std::to_string(upload.size)}});
    }
    if (::unlink(upload.path.c_str()) != 0 && errno != ENOENT) {
        log(codes::AUDIT_S3_REMOVE_FAILED, "cannot remove the uploaded recording from the spool directory", upload,
            {{"file", upload.path}, {"cause", std::strerror(errno)}});
    }
    ::unlink(metadata_path(upload.path).c_str());
    uploads_.erase(upload.key);  // `upload` is gone from here on
    metrics_->pending_uploads(uploads_.size());
    check_flush();
}

// ---- recovery ----

void S3Uploader::recover() {
    // The scan runs here, before the first connection can create a file in
    // the spool (recover() is called at plugin start); only the requests are
    // posted to the strand.
    {
        const SpoolScan scan = scan_spool(settings_.local);
        for (const auto& [name, error] : scan.unreadable) {
            host_.log(codes::AUDIT_S3_FAILED_STAT_QUEUE_ENTRY, "cannot examine a file in the spool directory",
                           {{"file", settings_.local + "/" + name}, {"cause", std::strerror(error)}});
        }
        for (const std::string& name : scan.orphaned_metadata) {
            const std::string path = metadata_path(settings_.local + "/" + name);
            host_.log(codes::AUDIT_S3_NO_SUCH_QUEUE_ENTRY,
                           "a metadata file has no recording next to it; removing it", {{"file", path}});
            ::unlink(path.c_str());
        }
        for (const std::string& name : scan.empty) {
            const std::string path = settings_.local + "/" + name;
            ::unlink(path.c_str());
            ::unlink(metadata_path(path).c_str());
        }
        if (scan.recordings.empty()) return;
        for (const SpoolEntry& entry : scan.recordings) {
            Upload& upload = uploads_[entry.name];
            upload.key = entry.name;
            upload.path = settings_.local + "/" + entry.name;
            upload.size = entry.size;
            upload.finished = true;
            upload.held = true;
            log(codes::AUDIT_S3_RECOVERING, "uploading a recording left by an earlier run", upload,
                     {{"bytes", std::to_string(entry.size)}});
            std::string text;
            std::string problem;
            if (FILE* file = std::fopen(metadata_path(upload.path).c_str(), "rb")) {
                char buffer[4096];
                size_t n = 0;
                while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, n);
                std::fclose(file);
            } else {
                problem = std::strerror(errno);
            }
            auto metadata = problem.empty() ? parse_metadata_json(text) : std::nullopt;
            if (metadata) {
                upload.metadata = *metadata;
            } else {
                log(codes::AUDIT_S3_FAILED_READING_METADATA_FILE,
                         "cannot read the recording's metadata file; uploading it without", upload,
                         {{"file", metadata_path(upload.path)}, {"cause", problem.empty() ? "not valid JSON" : problem}});
            }
        }
        metrics_->pending_uploads(uploads_.size());
        std::vector<std::string> keys;
        for (const SpoolEntry& entry : scan.recordings) keys.push_back(entry.name);
        on_strand([keys](S3Uploader& me) {
            for (const std::string& key : keys) me.list_stale(key, 1);
        });
    }
}

// Lists the bucket's unfinished uploads under `key` (one key per listing,
// so no listing needs a second page) and aborts those of exactly `key`.
void S3Uploader::list_stale(const std::string& key, unsigned attempt) {
    client_->list_multipart_uploads(key, [weak = weak_from_this(), key, attempt](s3::S3Result result) {
        auto self = weak.lock();
        if (!self || result.cancelled) return;
        self->on_strand([key, attempt, result = std::move(result)](S3Uploader& me) {
            if (me.find(key) == nullptr) return;
            if (result.ok) {
                me.abort_stale(key, result.uploads);
                return;
            }
            if (attempt < kListAttempts && result.retryable) {
                me.host_.run_after(me.strand_, kFirstRetry * (1u << attempt), [weak = me.weak_from_this(), key, attempt] {
                    if (auto self = weak.lock()) self->list_stale(key, attempt + 1);
                });
                return;
            }
            me.metrics_->request_failed("list");
            me.host_.log(codes::AUDIT_S3_MULTIPART_FAILED_LIST,
                         "cannot list the bucket's unfinished uploads: " + describe(result),
                         {{"connectionId", key}, {"bucket", me.settings_.connection.bucket}, {"object", key}});
            me.release_held(key);
        });
    });
}

void S3Uploader::abort_stale(const std::string& key, const std::vector<s3::PendingUpload>& stale) {
    auto remaining = std::make_shared<size_t>(0);
    for (const s3::PendingUpload& pending : stale) {
        if (pending.key != key) continue;
        ++*remaining;
        host_.log(codes::AUDIT_S3_MULTIPART_ABORTING, "aborting an unfinished upload of an earlier run",
                  {{"connectionId", key}, {"bucket", settings_.connection.bucket}, {"object", key}});
        client_->abort_multipart_upload(
            key, pending.upload_id, [weak = weak_from_this(), remaining, key](s3::S3Result result) {
                auto self = weak.lock();
                if (!self || result.cancelled) return;
                self->on_strand([remaining, key, result = std::move(result)](S3Uploader& me) {
                    if (!result.ok && result.error != "NoSuchUpload") {
                        me.metrics_->request_failed("abort");
                        me.host_.log(codes::AUDIT_S3_MULTIPART_FAILED_ABORT,
                                     "cannot abort an unfinished upload of an earlier run: " + describe(result),
                                     {{"connectionId", key}, {"bucket", me.settings_.connection.bucket}, {"object", key}});
                    }
                    if (--*remaining == 0) me.release_held(key);
                });
            });
    }
    if (*remaining == 0) release_held(key);
}

void S3Uploader::release_held(const std::string& key) {
    Upload* upload = find(key);
    if (upload == nullptr || !upload->held) return;
    upload->held = false;
    pump(*upload);
}

// ---- shut-down ----

void S3Uploader::flush(std::chrono::milliseconds deadline, csh::sdk::StatusCompletion done) {
    auto shared = std::make_shared<csh::sdk::StatusCompletion>(std::move(done));
    on_strand([deadline, shared](S3Uploader& self) {
        self.flush_done_.emplace(std::move(*shared));
        const auto wait = std::max(std::chrono::milliseconds(0), deadline - kFlushMargin);
        self.flush_deadline_ = self.host_.timer_start(self.strand_, wait, [weak = self.weak_from_this()] {
            if (auto me = weak.lock()) me->finish_flush("the flush deadline came");
        });
        self.check_flush();
        self.pump();
    });
}

// The flush ends when nothing is left to upload, or when all that is left
// is stuck on an error that waiting cannot fix (wrong credentials, say).
void S3Uploader::check_flush() {
    if (!flush_done_) return;
    const bool all_stuck = std::all_of(uploads_.begin(), uploads_.end(), [](const auto& entry) {
        return entry.second.stuck;
    });
    if (all_stuck) finish_flush(uploads_.empty() ? nullptr : "every upload left fails in a way waiting cannot fix");
}

void S3Uploader::finish_flush(const char* why) {
    if (!flush_done_) return;
    if (why != nullptr && !uploads_.empty()) {
        host_.log(codes::AUDIT_S3_FLUSH_INCOMPLETE,
                  std::to_string(uploads_.size()) + " recordings are not uploaded (" + why +
                      "); they stay in the spool directory for the next start",
                  {{"bucket", settings_.connection.bucket}, {"directory", settings_.local}});
    }
    flush_deadline_.cancel();
    flush_done_->ok();
    flush_done_.reset();
}

}  // namespace audit_s3
