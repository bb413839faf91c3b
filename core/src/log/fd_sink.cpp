#include "log/fd_sink.hpp"

#include <cerrno>
#include <fcntl.h>
#include <system_error>
#include <unistd.h>

#include "log/codes.hpp"
#include "log/log_error.hpp"

namespace csh::log {
namespace {

// Returns the fd, or -errno.
int open_for_append(const std::string& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    return fd >= 0 ? fd : -errno;
}

}  // namespace

int write_fully(int fd, const std::string& data) noexcept {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        done += static_cast<std::size_t>(n);
    }
    return 0;
}

FdSink::FdSink(LineFormatter format) : format_(format), name_("stdout"), fd_(STDOUT_FILENO) {}

FdSink::FdSink(std::string path, LineFormatter format)
    : format_(format), path_(std::move(path)), name_(path_), fd_(open_for_append(path_)) {
    if (fd_ < 0) {
        throw LogError(codes::LOG_FILE_OPEN_FAILED,
                       "cannot open log file " + path_ + " (log.file) for appending: " +
                           std::generic_category().message(-fd_));
    }
}

FdSink::~FdSink() {
    if (!path_.empty()) ::close(fd_);
}

int FdSink::write(const LogRecord& record) noexcept {
    try {
        const std::string line = format_(record);
        std::lock_guard lock(mutex_);
        return write_fully(fd_, line);
    } catch (...) {
        return ENOMEM;  // formatting could not allocate
    }
}

int FdSink::reopen() noexcept {
    if (path_.empty()) return 0;
    const int fd = open_for_append(path_);
    if (fd < 0) return -fd;
    int old;
    {
        std::lock_guard lock(mutex_);
        old = fd_;
        fd_ = fd;
    }
    ::close(old);
    return 0;
}

}  // namespace csh::log
