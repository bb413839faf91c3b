// One connection's recording: the encoder's bytes appended to a file
// (the final file for the file storage, the spool copy for S3), and the
// storage told what happened.
//
// Disk trouble never stops the session. When the disk is full, the bytes
// that could not be written are held in memory (up to kHeldBytesLimit) and
// written first at the next event; past that limit the recording stops
// there: what is on disk is a valid prefix (the decoder reports it as cut
// short), AUDIT_WRITE_FAILED says how much was lost, and it is stored as
// usual. New connections are refused while a recording file cannot be made
// (AUDIT_RECORDING_UNAVAILABLE), see open_recording_file().
#pragma once

#include "format/encoder.hpp"

#include <containerssh/sdk/audit.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace audit_s3 {

// Bytes of one recording held in memory while the disk refuses them.
inline constexpr uint64_t kHeldBytesLimit = 8ull * 1024 * 1024;
// A recording is not started on a file system with less free space than this.
inline constexpr uint64_t kMinimumFreeBytes = 16ull * 1024 * 1024;

// What a storage learns about a recording while it is written.
class RecordingObserver {
public:
    virtual ~RecordingObserver() = default;
    // [connection-strand] After an event was encoded and its bytes written:
    // the recording's size on disk now.
    virtual void recorded(const csh::sdk::AuditEvent& event, uint64_t size_on_disk) = 0;
    // [connection-strand] The recording is over and its file closed.
    // `complete` is false when it was cut short (disk trouble).
    virtual void finished(uint64_t size_on_disk, bool complete) = 0;
};

// A new recording file at `path`, created exclusively with mode 0600, or -1
// with errno set (ENOSPC when the file system has less than
// kMinimumFreeBytes free).
int open_recording_file(const std::string& path);

class RecordingStream final : public csh::sdk::AuditStream {
public:
    // `close_failed_code`: what a failed close() of the file is logged with
    // (the S3 storage has a code of its own for its spool files).
    RecordingStream(csh::sdk::Host host, csh_connection* connection, std::string path, int fd,
                    std::unique_ptr<Encoder> encoder, std::shared_ptr<RecordingObserver> observer,
                    const char* close_failed_code);
    ~RecordingStream() override;

    void event(const csh::sdk::AuditEvent& event) override;
    void close() override;

private:
    void write_out();
    void stop_recording(const char* reason);

    csh_connection* connection_;
    std::string path_;
    int fd_;
    std::unique_ptr<Encoder> encoder_;
    std::shared_ptr<RecordingObserver> observer_;
    const char* close_failed_code_;
    std::string buffer_;       // encoded bytes not yet on disk
    uint64_t size_on_disk_ = 0;
    uint64_t lost_bytes_ = 0;  // after the recording stopped
    bool failing_ = false;     // the last write failed; bytes are held
    bool stopped_ = false;     // cut short: no more bytes are written
    bool closed_ = false;
};

}  // namespace audit_s3
