#include "logger.hpp"

#include "json_writer.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iterator>
#include <system_error>
#include <vector>

namespace example_server {
namespace {

// Indexed by Level: EMERGENCY (0) ... DEBUG (7).
constexpr std::string_view kLevelNames[] = {
    "emerg", "alert", "crit", "error", "warning", "notice", "info", "debug",
};

// "2026-11-22T15:08:00.123Z": RFC 3339, UTC, milliseconds.
std::string rfc3339_ms(std::chrono::system_clock::time_point time) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
    const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                  utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(ms % 1000));
    return buf;
}

std::string ljson_line(const Message& code, std::string_view message, std::initializer_list<Field> fields) {
    JsonWriter json;
    json.begin_object();
    json.key("timestamp").value(rfc3339_ms(std::chrono::system_clock::now()));
    json.key("level").value(level_name(code.level));
    json.key("code").value(code.code);
    json.key("message").value(message.empty() ? std::string_view(code.explanation) : message);
    json.key("details").begin_object();
    for (const Field& field : fields) {
        if (field.first != "module") json.key(field.first).value(field.second);
    }
    json.key("module").value(kLogModule);
    json.end_object();
    json.end_object();
    std::string line = json.take();
    line += '\n';
    return line;
}

// 0, or the errno of the failed write.
int write_fully(int fd, const std::string& data) {
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

// Markdown cells cannot hold '|' or a line break.
std::string markdown_cell(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '|') {
            out += "\\|";
        } else if (c == '\n' || c == '\r') {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace

std::string_view level_name(Level level) {
    const auto index = static_cast<std::size_t>(level);
    return index < std::size(kLevelNames) ? kLevelNames[index] : std::string_view("invalid");
}

std::optional<Level> parse_level(std::string_view text) {
    for (std::size_t i = 0; i < std::size(kLevelNames); ++i) {
        if (text == kLevelNames[i]) return static_cast<Level>(i);
    }
    if (text.size() == 1 && text[0] >= '0' && text[0] <= '7') return static_cast<Level>(text[0] - '0');
    return std::nullopt;
}

std::string code_table_markdown() {
    std::vector<const Message*> sorted;
    for (const Message& message : kMessages) sorted.push_back(&message);
    std::sort(sorted.begin(), sorted.end(),
              [](const Message* a, const Message* b) { return std::strcmp(a->code, b->code) < 0; });
    std::string out = "| Code | Level | Module | Explanation |\n|------|-------|--------|-------------|\n";
    for (const Message* message : sorted) {
        out += "| `" + markdown_cell(message->code) + "` | " + std::string(level_name(message->level)) + " | " +
               markdown_cell(kLogModule) + " | " + markdown_cell(message->explanation) + " |\n";
    }
    return out;
}

void Logger::log(const Message& code, std::string_view message, std::initializer_list<Field> fields) noexcept {
    if (code.level > level_) return;
    try {
        const std::string line = ljson_line(code, message, fields);
        int error;
        {
            // One write per line, one line at a time: lines never interleave.
            std::lock_guard lock(write_mutex_);
            error = write_fully(STDOUT_FILENO, line);
        }
        if (error == 0) {
            write_failing_.store(false);
        } else if (!write_failing_.exchange(true)) {
            const std::string cause = std::generic_category().message(error);
            std::fprintf(stderr, "containerssh-auth-config-server: cannot write log lines to stdout: %s; "
                                 "lines are lost until it recovers\n", cause.c_str());
        }
    } catch (...) {
        // Out of memory while formatting: the line is lost, as noexcept promises.
    }
}

}  // namespace example_server
