#include "label_values.hpp"

namespace backend_kubernetes {
namespace {

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// Letters, digits and '.' stay; anything else, one UTF-8 character at a
// time, becomes '-'. Then the ends are trimmed to a letter or digit.
std::string replace_and_trim(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (is_alnum(static_cast<char>(c)) || c == '.') {
            out += static_cast<char>(c);
            continue;
        }
        out += '-';
        // Skip the continuation bytes of a multi-byte UTF-8 character.
        while (c >= 0xC0 && i + 1 < text.size() && (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80) ++i;
    }
    size_t first = 0;
    while (first < out.size() && !is_alnum(out[first])) ++first;
    size_t last = out.size();
    while (last > first && !is_alnum(out[last - 1])) --last;
    return out.substr(first, last - first);
}

}  // namespace

std::optional<std::string> username_label_value(std::string_view username) {
    std::string value = replace_and_trim(username);
    if (value.empty() || value.size() > kMaxLabelValue) return std::nullopt;
    return value;
}

std::string label_value(std::string_view text) {
    std::string value = replace_and_trim(text);
    if (value.size() > kMaxLabelValue) {
        value.resize(kMaxLabelValue);
        while (!value.empty() && !is_alnum(value.back())) value.pop_back();
    }
    return value;
}

std::string ip_annotation_value(std::string_view ip) {
    std::string out(ip);
    for (char& c : out) {
        if (c == ':') c = '-';
    }
    return out;
}

}  // namespace backend_kubernetes
