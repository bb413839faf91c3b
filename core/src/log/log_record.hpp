// One log line before formatting: what every destination and format needs.
// Internal to the log module.
#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>

#include <containerssh/plugin/common.h>

namespace csh::log {

struct LogRecord {
    std::chrono::system_clock::time_point time;
    csh_log_level level = CSH_LOG_ERROR;
    std::string_view code;
    // Already resolved: the caller's text, or the code's explanation.
    std::string_view message;
    std::string_view module;
    // The caller's fields; borrowed for the duration of the write.
    const csh_field* fields = nullptr;
    std::size_t field_count = 0;
    // Fields the logger adds itself (e.g. unregisteredCode), written after the caller's.
    const csh_field* extra_fields = nullptr;
    std::size_t extra_field_count = 0;
};

inline std::string_view field_text(csh_str s) {
    return s.size == 0 ? std::string_view() : std::string_view(s.data, s.size);
}

// Calls fn(key, value) for the caller's fields, then the extra ones. A field
// named "module" is skipped: every line carries the registered module of its
// code, and a second "module" key would make the JSON object ambiguous.
template <typename Fn>
void for_each_field(const LogRecord& record, Fn&& fn) {
    auto visit = [&fn](const csh_field* fields, std::size_t count) {
        for (std::size_t i = 0; i < count; ++i) {
            std::string_view key = field_text(fields[i].key);
            if (key == "module") continue;
            fn(key, field_text(fields[i].value));
        }
    };
    visit(record.fields, record.field_count);
    visit(record.extra_fields, record.extra_field_count);
}

}  // namespace csh::log
