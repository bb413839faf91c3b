#include "format/asciicast_encoder.hpp"

#include "format/event_fields.hpp"
#include "format/json_text.hpp"

#include <cstdio>
#include <stdexcept>

namespace audit_s3 {
namespace {
constexpr std::string_view kShell = "/bin/sh";
constexpr uint64_t kStdout = 1;
constexpr uint64_t kStderr = 2;
constexpr int64_t kNanosecondsPerSecond = 1000000000;
}  // namespace

void AsciicastEncoder::encode(const csh::sdk::AuditEvent& event, std::string& out) {
    if (finished_) throw std::logic_error("audit event after the end of the asciicast recording");
    // Times count from the connect event (the first of every connection).
    if (!start_ns_ || event.type() == CSH_AUDIT_CONNECT) start_ns_ = event.timestamp_ns();
    last_ns_ = event.timestamp_ns();
    switch (event.type()) {
    case CSH_AUDIT_SETENV:
        if (!header_written_) {
            const auto name = text_field(event, "name");
            if (name) env_[std::string(*name)] = std::string(text_field(event, "value").value_or(""));
        }
        return;
    case CSH_AUDIT_PTY:
        if (!header_written_) {
            if (const auto term = text_field(event, "term")) env_["TERM"] = std::string(*term);
            if (const auto columns = uint_field(event, "columns")) width_ = *columns;
            if (const auto rows = uint_field(event, "rows")) height_ = *rows;
        }
        return;
    case CSH_AUDIT_WINDOW:
        if (!header_written_) {
            if (const auto columns = uint_field(event, "columns")) width_ = *columns;
            if (const auto rows = uint_field(event, "rows")) height_ = *rows;
        }
        return;
    case CSH_AUDIT_EXEC:
        if (!header_written_) write_header(text_field(event, "program").value_or(""), out);
        return;
    case CSH_AUDIT_SHELL:
        if (!header_written_) write_header(kShell, out);
        return;
    case CSH_AUDIT_SUBSYSTEM:
        if (!header_written_) write_header(text_field(event, "subsystem").value_or(kShell), out);
        return;
    case CSH_AUDIT_IO:
        write_output(event, out);
        return;
    default:
        return;
    }
}

void AsciicastEncoder::finish(std::string& out) {
    if (finished_) return;
    finished_ = true;
    // A cast is a header and events; a connection that never ran anything
    // still gets its header so players accept the file.
    if (!header_written_) write_header("", out);
    // Output that ended inside a UTF-8 sequence: shown as what it is.
    for (Carry& carry : carries_) {
        if (!carry.bytes.empty()) write_frame(last_ns_, carry.bytes, out);
        carry.bytes.clear();
    }
}

void AsciicastEncoder::write_header(std::string_view command, std::string& out) {
    const int64_t start_s = start_ns_.value_or(0) / kNanosecondsPerSecond;
    out += "{\"version\":2,\"width\":" + std::to_string(width_) + ",\"height\":" + std::to_string(height_) +
           ",\"timestamp\":" + std::to_string(start_s) + ",\"command\":";
    append_json_string(out, command);
    out += ",\"title\":\"\",\"env\":{";
    bool first = true;
    for (const auto& [name, value] : env_) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, name);
        out += ':';
        append_json_string(out, value);
    }
    out += "}}\n";
    header_written_ = true;
}

std::string& AsciicastEncoder::carry_of(int64_t channel, uint64_t stream) {
    for (Carry& carry : carries_) {
        if (carry.channel == channel && carry.stream == stream) return carry.bytes;
    }
    carries_.push_back(Carry{channel, stream, {}});
    return carries_.back().bytes;
}

void AsciicastEncoder::write_output(const csh::sdk::AuditEvent& event, std::string& out) {
    const auto stream = uint_field(event, "stream");
    if (!stream || (*stream != kStdout && *stream != kStderr)) return;  // stdin is not shown
    const auto data = text_field(event, "data");
    if (!data || data->empty()) return;
    if (!header_written_) write_header(kShell, out);

    std::string& carry = carry_of(event.channel_id().value_or(-1), *stream);
    std::string_view text = *data;
    if (!carry.empty()) {
        joined_.assign(carry);
        joined_.append(text);
        text = joined_;
    }
    const std::size_t tail = incomplete_utf8_tail(text);
    const std::string_view complete = text.substr(0, text.size() - tail);
    // Copy the tail first: it may live in joined_, which the carry replaces.
    std::string next(text.substr(text.size() - tail));
    if (!complete.empty()) write_frame(event.timestamp_ns(), complete, out);
    carry = std::move(next);
}

void AsciicastEncoder::write_frame(int64_t timestamp_ns, std::string_view text, std::string& out) {
    const int64_t since = timestamp_ns - start_ns_.value_or(timestamp_ns);
    // Microseconds, as asciinema itself writes; a clock step back shows as 0.
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.6f", since > 0 ? static_cast<double>(since) / kNanosecondsPerSecond : 0.0);
    out += '[';
    out += seconds;
    out += ", \"o\", ";
    append_json_string(out, text);
    out += "]\n";
}

}  // namespace audit_s3
