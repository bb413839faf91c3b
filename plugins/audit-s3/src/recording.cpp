#include "recording.hpp"

#include "messages.hpp"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

namespace audit_s3 {

int open_recording_file(const std::string& path) {
    const size_t slash = path.rfind('/');
    const std::string directory = slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
    struct statvfs fs {};
    if (::statvfs(directory.c_str(), &fs) == 0 &&
        static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize < kMinimumFreeBytes) {
        errno = ENOSPC;
        return -1;
    }
    return ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
}

RecordingStream::RecordingStream(csh::sdk::Host host, csh_connection* connection, std::string path, int fd,
                                 std::unique_ptr<Encoder> encoder, std::shared_ptr<RecordingObserver> observer,
                                 const char* close_failed_code)
    : AuditStream(std::move(host)), connection_(connection), path_(std::move(path)), fd_(fd),
      encoder_(std::move(encoder)), observer_(std::move(observer)), close_failed_code_(close_failed_code) {}

RecordingStream::~RecordingStream() {
    // The host closes every stream it opened; this covers a stream dropped
    // without close() (an exception in the plugin), so the fd never leaks.
    if (fd_ >= 0) ::close(fd_);
}

void RecordingStream::event(const csh::sdk::AuditEvent& event) {
    if (closed_) return;
    if (!stopped_) {
        encoder_->encode(event, buffer_);
        write_out();
    }
    observer_->recorded(event, size_on_disk_);
}

void RecordingStream::close() {
    if (closed_) return;
    closed_ = true;
    if (!stopped_) {
        encoder_->finish(buffer_);
        write_out();
        if (!buffer_.empty()) stop_recording("the disk did not take the end of the recording");
    }
    if (fd_ >= 0 && ::close(fd_) != 0) {
        host().log(close_failed_code_, "closing the recording failed; its last bytes may be lost",
                   {{"file", path_}, {"cause", std::strerror(errno)}}, connection_);
    }
    fd_ = -1;
    observer_->finished(size_on_disk_, !stopped_);
}

void RecordingStream::write_out() {
    size_t done = 0;
    while (done < buffer_.size()) {
        const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
        if (n > 0) {
            done += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        const int error = n < 0 ? errno : EIO;
        if (!failing_) {
            failing_ = true;
            host().log(codes::AUDIT_WRITE_FAILED,
                       "cannot write to the recording; holding its bytes in memory until the disk takes them",
                       {{"file", path_}, {"cause", std::strerror(error)}}, connection_);
        }
        break;
    }
    size_on_disk_ += done;
    buffer_.erase(0, done);
    if (buffer_.empty()) {
        failing_ = false;
    } else if (buffer_.size() > kHeldBytesLimit) {
        stop_recording("more than 8 MiB could not be written");
    }
}

// Cuts the recording short at the last whole message on disk.
void RecordingStream::stop_recording(const char* reason) {
    stopped_ = true;
    lost_bytes_ = buffer_.size();
    buffer_.clear();
    buffer_.shrink_to_fit();
    host().log(codes::AUDIT_WRITE_FAILED,
               std::string("the recording stops here: ") + reason + "; the session goes on unrecorded",
               {{"file", path_}, {"lostBytes", std::to_string(lost_bytes_)}, {"keptBytes", std::to_string(size_on_disk_)}},
               connection_);
}

}  // namespace audit_s3
