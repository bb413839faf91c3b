// The core's logger: every line carries a registered message code whose level
// decides whether it is written. Destinations: stdout, a file (reopened on
// SIGHUP) or syslog; formats: ljson and text (see docs/logging.md).
//
// Fields are written as given: callers never pass secrets (passwords, tokens,
// `sensitive` metadata) in a message or a field, and nothing here filters them.
#pragma once

#include <atomic>
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <string_view>
#include <utility>

#include <containerssh/plugin/common.h>

#include "log/code_registry.hpp"
#include "log/log_error.hpp"
#include "log/log_settings.hpp"

namespace csh::log {

class LogSink;
struct LogRecord;

using Field = std::pair<std::string_view, std::string_view>;

class Logger {
public:
    // Opens the destination. Throws LogError: LOG_FILE_OPEN_FAILED (names the
    // file and the cause), or CORE_CONFIG_ERROR for unusable syslog settings.
    // `codes` must outlive the logger; tables may still be added to it later.
    Logger(const CodeRegistry& codes, LogSettings settings);
    ~Logger();
    Logger(const Logger&) = delete;
    Logger& operator=(const Logger&) = delete;

    // Thread-safe; never throws. The code's registered level decides whether
    // the line is written. An unregistered code is written as UNKNOWN_ERROR
    // with an extra field "unregisteredCode". An empty message is replaced by
    // the code's explanation. A field named "module" is dropped: every line's
    // module is the one registered with its code.
    void log(std::string_view code, std::string_view message, const csh_field* fields,
             std::size_t count) noexcept;
    void log(std::string_view code, std::string_view message,
             std::initializer_list<Field> fields = {}) noexcept;

    // Whether a line with this code would be written at the current level.
    bool enabled(std::string_view code) const noexcept;

    // Levels above CSH_LOG_DEBUG are taken as debug.
    void set_level(csh_log_level level) noexcept;
    csh_log_level level() const noexcept;

    // For SIGHUP (logrotate): reopens the file destination at its configured
    // path. On failure logs LOG_ROTATE_FAILED and keeps writing to the old file.
    // Nothing to do for stdout and syslog.
    void reopen() noexcept;

private:
    // The registered entry for `code`, or UNKNOWN_ERROR's (nullptr when even
    // that is missing, i.e. the core table was never registered).
    const CodeInfo* resolve(std::string_view code) const noexcept;
    void write(const LogRecord& record) noexcept;
    // Reports a failed write on stderr once per run of failures; writing the
    // report never goes through the sink, so a broken sink cannot recurse.
    void report_write_failure(int error) noexcept;

    const CodeRegistry& codes_;
    LogSettings settings_;
    std::atomic<csh_log_level> level_;
    std::unique_ptr<LogSink> sink_;
    // Set by the first failed write, cleared by the next good one.
    std::atomic<bool> write_failing_{false};
};

}  // namespace csh::log
