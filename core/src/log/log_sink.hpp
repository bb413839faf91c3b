// A log destination. Internal to the log module.
#pragma once

#include <string>

#include "log/log_record.hpp"

namespace csh::log {

using LineFormatter = std::string (*)(const LogRecord&);

class LogSink {
public:
    virtual ~LogSink() = default;
    // Writes one line; returns 0, or the errno of the failure. Thread-safe;
    // concurrent lines never interleave.
    virtual int write(const LogRecord& record) noexcept = 0;
    // Reopens the destination after log rotation; returns 0, or the errno
    // of the failure, in which case the old destination stays in use.
    virtual int reopen() noexcept { return 0; }
    // Where lines go, for error messages: "stdout", a path, a syslog address.
    virtual const std::string& name() const noexcept = 0;
};

}  // namespace csh::log
