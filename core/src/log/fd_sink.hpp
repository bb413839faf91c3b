// Lines to standard output or to an append-only file. Internal to the log module.
#pragma once

#include <mutex>
#include <string>

#include "log/log_sink.hpp"

namespace csh::log {

class FdSink final : public LogSink {
public:
    // Standard output; fd 1 is never closed or reopened.
    explicit FdSink(LineFormatter format);
    // `path`, opened O_APPEND|O_CREAT with mode 0640 (its directory must
    // exist). Throws LogError("LOG_FILE_OPEN_FAILED") naming the file.
    FdSink(std::string path, LineFormatter format);
    ~FdSink() override;
    FdSink(const FdSink&) = delete;
    FdSink& operator=(const FdSink&) = delete;

    int write(const LogRecord& record) noexcept override;
    // Opens the path anew (logrotate renamed the old file) and switches to it.
    int reopen() noexcept override;
    const std::string& name() const noexcept override { return name_; }

private:
    LineFormatter format_;
    std::string path_;  // empty for stdout
    std::string name_;
    // Held for the whole write so a short write is finished before another
    // line starts, and so reopen() never closes an fd in use.
    std::mutex mutex_;
    int fd_;
};

// Writes all of `data` to `fd` (retrying EINTR and short writes); 0 or errno.
int write_fully(int fd, const std::string& data) noexcept;

}  // namespace csh::log
