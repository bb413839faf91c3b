// JSON strings from arbitrary bytes, for the asciicast events and the
// decoder tool's output. Recorded terminal output and payload strings are not
// guaranteed UTF-8; a JSON text must be.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace audit_s3 {

enum class JsonEscape {
    minimal,    // quote, backslash and control characters only
    html_safe,  // also <, >, & and U+2028/U+2029, as Go's encoding/json writes them
};

// Appends `bytes` as a quoted JSON string. Valid UTF-8 is kept; every byte
// that does not start a valid UTF-8 sequence becomes \ufffd (one per byte,
// as Go does), the rest of the text stays exact.
void append_json_string(std::string& out, std::string_view bytes, JsonEscape escape = JsonEscape::minimal);

// How many bytes at the end of `bytes` are the start of a UTF-8 sequence
// that is valid so far but incomplete (0 to 3): output split across two
// writes, to be joined with the next write before it is judged.
std::size_t incomplete_utf8_tail(std::string_view bytes);

}  // namespace audit_s3
