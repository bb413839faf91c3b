#include "log/line_format.hpp"

#include <cstdio>
#include <ctime>
#include <string_view>

#include <containerssh/sdk/json_writer.hpp>

#include "log/level.hpp"

namespace csh::log {
namespace {

using std::chrono::system_clock;

struct SplitTime {
    std::tm fields{};
    long milliseconds = 0;
};

SplitTime split(system_clock::time_point time, bool utc) {
    const auto since_epoch = time.time_since_epoch();
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
    // Floor, not truncate, so times before 1970 still get 0..999 ms.
    if (seconds > since_epoch) seconds -= std::chrono::seconds(1);
    SplitTime out;
    out.milliseconds = static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds).count());
    const std::time_t t = static_cast<std::time_t>(seconds.count());
    if (utc) {
        gmtime_r(&t, &out.fields);
    } else {
        localtime_r(&t, &out.fields);
    }
    return out;
}

// code, message and details: the part of the JSON object every destination shares.
void write_body(sdk::JsonWriter& json, const LogRecord& record) {
    json.key("code").value(record.code);
    json.key("message").value(record.message);
    json.key("details").begin_object();
    for_each_field(record, [&json](std::string_view key, std::string_view value) {
        json.key(key).value(value);
    });
    json.key("module").value(record.module);
    json.end_object();
}

// Text lines are split on tabs and newlines by whoever reads them, so control
// characters are escaped (with the project's one escaper); the rest stays as is.
void append_escaping_controls(std::string& out, std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7f) {
            sdk::json_escape(out, text.substr(i, 1));
        } else {
            out += text[i];
        }
    }
}

bool needs_quotes(std::string_view value) {
    if (value.empty()) return true;
    for (unsigned char c : value) {
        if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == '(' || c == ')' || c == 0x7f) return true;
    }
    return false;
}

// key=value, or key="..." (JSON string escaping) when the value would
// otherwise be ambiguous to split.
void append_text_field(std::string& out, std::string_view key, std::string_view value) {
    append_escaping_controls(out, key);
    out += '=';
    if (needs_quotes(value)) {
        out += '"';
        sdk::json_escape(out, value);
        out += '"';
    } else {
        out += value;
    }
}

}  // namespace

std::string format_rfc3339_ms(system_clock::time_point time) {
    const SplitTime t = split(time, true);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", t.fields.tm_year + 1900,
                  t.fields.tm_mon + 1, t.fields.tm_mday, t.fields.tm_hour, t.fields.tm_min,
                  t.fields.tm_sec, t.milliseconds);
    return buf;
}

std::string format_rfc3164(system_clock::time_point time) {
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const SplitTime t = split(time, false);
    char buf[64];
    // The day is space-padded ("Nov  2"), as RFC 3164 requires.
    std::snprintf(buf, sizeof buf, "%s %2d %02d:%02d:%02d", kMonths[t.fields.tm_mon % 12],
                  t.fields.tm_mday, t.fields.tm_hour, t.fields.tm_min, t.fields.tm_sec);
    return buf;
}

std::string format_ljson(const LogRecord& record) {
    sdk::JsonWriter json;
    json.begin_object();
    json.key("timestamp").value(format_rfc3339_ms(record.time));
    json.key("level").value(level_name(record.level));
    write_body(json, record);
    json.end_object();
    std::string line = json.take();
    line += '\n';
    return line;
}

std::string format_text(const LogRecord& record) {
    std::string line = format_rfc3339_ms(record.time);
    line += '\t';
    line += level_name(record.level);
    line += '\t';
    append_escaping_controls(line, record.code);
    line += '\t';
    append_escaping_controls(line, record.message);
    line += " (";
    for_each_field(record, [&line](std::string_view key, std::string_view value) {
        append_text_field(line, key, value);
        line += ' ';
    });
    append_text_field(line, "module", record.module);
    line += ")\n";
    return line;
}

std::string format_syslog_json(const LogRecord& record) {
    sdk::JsonWriter json;
    json.begin_object();
    write_body(json, record);
    json.end_object();
    return json.take();
}

}  // namespace csh::log
