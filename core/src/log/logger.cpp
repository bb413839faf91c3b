#include "log/logger.hpp"

#include <chrono>
#include <iterator>
#include <string>
#include <system_error>
#include <unistd.h>
#include <vector>

#include "log/codes.hpp"
#include "log/fd_sink.hpp"
#include "log/line_format.hpp"
#include "log/log_record.hpp"
#include "log/syslog_sink.hpp"

namespace csh::log {
namespace {

csh_str to_csh_str(std::string_view text) { return csh_str{text.data(), text.size()}; }

LineFormatter formatter_for(LogSettings::Format format) {
    return format == LogSettings::Format::text ? format_text : format_ljson;
}

std::unique_ptr<LogSink> open_sink(const LogSettings& settings) {
    switch (settings.destination) {
        case LogSettings::Destination::file:
            return std::make_unique<FdSink>(settings.file, formatter_for(settings.format));
        case LogSettings::Destination::syslog:
            return std::make_unique<SyslogSink>(settings.syslog);
        case LogSettings::Destination::stdout_:
            break;
    }
    return std::make_unique<FdSink>(formatter_for(settings.format));
}

csh_log_level clamp_level(csh_log_level level) { return level > CSH_LOG_DEBUG ? CSH_LOG_DEBUG : level; }

// Used only when the core table was never registered, so that a line is
// still written rather than lost.
constexpr csh_log_level kFallbackLevel = CSH_LOG_ERROR;
constexpr std::string_view kFallbackModule = "core";

// Initializer lists of fields are copied into this many slots on the stack
// before falling back to the heap; log lines carry a handful of fields.
constexpr std::size_t kStackFields = 16;

}  // namespace

Logger::Logger(const CodeRegistry& codes, LogSettings settings)
    : codes_(codes),
      settings_(std::move(settings)),
      level_(clamp_level(settings_.level)),
      sink_(open_sink(settings_)) {}

Logger::~Logger() = default;

const CodeInfo* Logger::resolve(std::string_view code) const noexcept {
    try {
        const CodeInfo* info = codes_.find(code);
        return info != nullptr ? info : codes_.find(codes::UNKNOWN_ERROR);
    } catch (...) {
        return nullptr;  // a lock that cannot be taken: treat as unknown
    }
}

void Logger::log(std::string_view code, std::string_view message, const csh_field* fields,
                 std::size_t count) noexcept {
    const CodeInfo* info = resolve(code);
    const bool registered = info != nullptr && info->code == code;
    const csh_log_level code_level = info != nullptr ? info->level : kFallbackLevel;
    if (code_level > level()) return;

    LogRecord record;
    record.time = std::chrono::system_clock::now();
    record.level = code_level;
    record.code = registered ? code : std::string_view(codes::UNKNOWN_ERROR);
    record.message = !message.empty() ? message
                     : info != nullptr ? std::string_view(info->explanation)
                                       : std::string_view();
    record.module = info != nullptr ? std::string_view(info->module) : kFallbackModule;
    record.fields = fields;
    record.field_count = count;
    const csh_field unregistered{to_csh_str("unregisteredCode"), to_csh_str(code)};
    if (!registered) {
        record.extra_fields = &unregistered;
        record.extra_field_count = 1;
    }
    write(record);
}

void Logger::log(std::string_view code, std::string_view message,
                 std::initializer_list<Field> fields) noexcept {
    csh_field on_stack[kStackFields]{};
    std::vector<csh_field> on_heap;
    csh_field* converted = on_stack;
    if (fields.size() > kStackFields) {
        try {
            on_heap.resize(fields.size());
        } catch (...) {
            return;  // out of memory: the line is lost, as promised by noexcept
        }
        converted = on_heap.data();
    }
    std::size_t i = 0;
    for (const Field& field : fields) {
        converted[i++] = csh_field{to_csh_str(field.first), to_csh_str(field.second)};
    }
    log(code, message, converted, fields.size());
}

bool Logger::enabled(std::string_view code) const noexcept {
    const CodeInfo* info = resolve(code);
    return (info != nullptr ? info->level : kFallbackLevel) <= level();
}

void Logger::set_level(csh_log_level level) noexcept {
    level_.store(clamp_level(level), std::memory_order_relaxed);
}

csh_log_level Logger::level() const noexcept { return level_.load(std::memory_order_relaxed); }

void Logger::reopen() noexcept {
    const int error = sink_->reopen();
    if (error == 0) return;
    try {
        const std::string cause = std::generic_category().message(error);
        log(codes::LOG_ROTATE_FAILED,
            "cannot reopen log file " + settings_.file + ": " + cause +
                "; still writing to the previously opened file",
            {{"file", settings_.file}, {"error", cause}});
    } catch (...) {
        // Building the message failed (out of memory); nothing more to do.
    }
}

void Logger::write(const LogRecord& record) noexcept {
    const int error = sink_->write(record);
    if (error != 0) {
        report_write_failure(error);
    } else if (write_failing_.load(std::memory_order_relaxed)) {
        write_failing_.store(false, std::memory_order_relaxed);
    }
}

void Logger::report_write_failure(int error) noexcept {
    if (write_failing_.exchange(true)) return;  // already reported for this run of failures
    try {
        const CodeInfo* info = codes_.find(codes::LOG_WRITE_FAILED);
        const csh_log_level code_level = info != nullptr ? info->level : kFallbackLevel;
        if (code_level > level()) return;

        const std::string cause = std::generic_category().message(error);
        const std::string message = "cannot write log lines to " + sink_->name() + ": " + cause +
                                    "; lines are lost until it recovers";
        const csh_field fields[] = {
            {to_csh_str("destination"), to_csh_str(sink_->name())},
            {to_csh_str("error"), to_csh_str(cause)},
        };
        LogRecord record;
        record.time = std::chrono::system_clock::now();
        record.level = code_level;
        record.code = codes::LOG_WRITE_FAILED;
        record.message = message;
        record.module = info != nullptr ? std::string_view(info->module) : std::string_view("log");
        record.fields = fields;
        record.field_count = std::size(fields);
        write_fully(STDERR_FILENO, formatter_for(settings_.format)(record));
    } catch (...) {
        // Out of memory while reporting: stay silent rather than fail the caller.
    }
}

}  // namespace csh::log
