// A minimal streaming JSON writer: compact JSON into a std::string, commas
// inserted by the writer; callers only open, write and close. Used for the
// webhook answers, the users' configuration and the log lines.
// The plugin SDK has its own writer; this one is here so that a copy of
// this folder builds without the ContainerSSH tree.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace example_server {

// Appends `text` to `out` as the body of a JSON string (without quotes).
// Invalid UTF-8 is passed through byte by byte; control characters are
// escaped so one log line stays one line.
inline void json_escape(std::string& out, std::string_view text) {
    for (unsigned char c : text) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                if (c < 0x20 || c == 0x7f) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
}

class JsonWriter {
public:
    JsonWriter& begin_object() { value_prefix(); out_ += '{'; first_.push_back(true); return *this; }
    JsonWriter& end_object() { out_ += '}'; first_.pop_back(); return *this; }
    JsonWriter& begin_array() { value_prefix(); out_ += '['; first_.push_back(true); return *this; }
    JsonWriter& end_array() { out_ += ']'; first_.pop_back(); return *this; }

    // Writes an object key; the next call writes its value.
    JsonWriter& key(std::string_view name) {
        comma();
        out_ += '"';
        json_escape(out_, name);
        out_ += "\":";
        after_key_ = true;
        return *this;
    }

    JsonWriter& value(std::string_view text) {
        value_prefix();
        out_ += '"';
        json_escape(out_, text);
        out_ += '"';
        return *this;
    }
    // Without it a string literal would pick the bool overload.
    JsonWriter& value(const char* text) { return value(std::string_view(text)); }
    JsonWriter& value(bool b) { value_prefix(); out_ += b ? "true" : "false"; return *this; }
    JsonWriter& value(std::int64_t n) { value_prefix(); out_ += std::to_string(n); return *this; }
    JsonWriter& value(double d) {
        value_prefix();
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.17g", d);
        out_ += buf;
        return *this;
    }
    JsonWriter& null() { value_prefix(); out_ += "null"; return *this; }
    // Inserts already-serialised JSON (e.g. a nested document) as a value.
    JsonWriter& raw(std::string_view json) { value_prefix(); out_ += json; return *this; }

    std::string take() { return std::move(out_); }

private:
    void comma() {
        if (!first_.empty()) {
            if (!first_.back()) out_ += ',';
            first_.back() = false;
        }
    }
    void value_prefix() {
        if (after_key_) {
            after_key_ = false;
            return;
        }
        comma();
    }

    std::string out_;
    std::vector<bool> first_;
    bool after_key_ = false;
};

}  // namespace example_server
