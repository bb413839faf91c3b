#include "format/json_text.hpp"

#include <cstdint>

namespace audit_s3 {
namespace {

// The length of the valid UTF-8 sequence at bytes[i], or 0 if there is none
// there (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
// `incomplete` is set when the bytes end before a so-far-valid sequence does.
std::size_t utf8_sequence(std::string_view bytes, std::size_t i, bool& incomplete) {
    incomplete = false;
    const auto at = [&](std::size_t k) { return static_cast<uint8_t>(bytes[k]); };
    const uint8_t lead = at(i);
    std::size_t length;
    uint8_t low = 0x80, high = 0xbf;  // the range of the second byte
    if (lead < 0x80) return 1;
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        if (lead == 0xe0) low = 0xa0;   // overlong
        if (lead == 0xed) high = 0x9f;  // surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        if (lead == 0xf0) low = 0x90;   // overlong
        if (lead == 0xf4) high = 0x8f;  // above U+10FFFF
    } else {
        return 0;
    }
    for (std::size_t k = 1; k < length; ++k) {
        if (i + k >= bytes.size()) {
            incomplete = true;
            return 0;
        }
        const uint8_t c = at(i + k);
        const uint8_t lo = k == 1 ? low : 0x80;
        const uint8_t hi = k == 1 ? high : 0xbf;
        if (c < lo || c > hi) return 0;
    }
    return length;
}

constexpr char kHex[] = "0123456789abcdef";

void append_u_escape(std::string& out, unsigned code) {
    out += "\\u";
    out += kHex[(code >> 12) & 0xf];
    out += kHex[(code >> 8) & 0xf];
    out += kHex[(code >> 4) & 0xf];
    out += kHex[code & 0xf];
}

}  // namespace

void append_json_string(std::string& out, std::string_view bytes, JsonEscape escape) {
    const bool html = escape == JsonEscape::html_safe;
    out.reserve(out.size() + bytes.size() + 2);
    out += '"';
    std::size_t i = 0;
    while (i < bytes.size()) {
        const unsigned char c = static_cast<unsigned char>(bytes[i]);
        if (c >= 0x80) {
            bool incomplete = false;
            const std::size_t length = utf8_sequence(bytes, i, incomplete);
            if (length == 0) {
                out += "\\ufffd";
                ++i;
                continue;
            }
            // U+2028 and U+2029 (E2 80 A8/A9) end lines in JavaScript.
            if (html && length == 3 && c == 0xe2 && static_cast<unsigned char>(bytes[i + 1]) == 0x80 &&
                (static_cast<unsigned char>(bytes[i + 2]) & 0xfe) == 0xa8) {
                append_u_escape(out, 0x2028 | (static_cast<unsigned char>(bytes[i + 2]) & 1));
            } else {
                out.append(bytes.data() + i, length);
            }
            i += length;
            continue;
        }
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20 || (html && (c == '<' || c == '>' || c == '&'))) {
                append_u_escape(out, c);
            } else {
                out += static_cast<char>(c);
            }
        }
        ++i;
    }
    out += '"';
}

std::size_t incomplete_utf8_tail(std::string_view bytes) {
    // A sequence is at most 4 bytes, so an incomplete one starts within the
    // last 3; the first lead byte found from the end decides.
    const std::size_t n = bytes.size();
    for (std::size_t back = 1; back <= 3 && back <= n; ++back) {
        const std::size_t i = n - back;
        const unsigned char c = static_cast<unsigned char>(bytes[i]);
        if ((c & 0xc0) == 0x80) continue;  // a continuation byte: look further back
        bool incomplete = false;
        utf8_sequence(bytes, i, incomplete);
        return incomplete ? back : 0;
    }
    return 0;
}

}  // namespace audit_s3
