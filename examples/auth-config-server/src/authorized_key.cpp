#include "authorized_key.hpp"

#include "base64.hpp"

namespace example_server {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// The next blank-separated field of `rest`, removed from it; "" at the end.
std::string_view next_field(std::string_view& rest) {
    std::size_t start = 0;
    while (start < rest.size() && is_blank(rest[start])) ++start;
    std::size_t end = start;
    while (end < rest.size() && !is_blank(rest[end])) ++end;
    const std::string_view field = rest.substr(start, end - start);
    rest.remove_prefix(end);
    return field;
}

}  // namespace

std::optional<AuthorizedKey> parse_authorized_key(std::string_view line) {
    const std::string_view type = next_field(line);
    const std::string_view blob = next_field(line);
    if (type.empty() || blob.empty()) return std::nullopt;
    const auto decoded = base64_decode(blob);
    if (!decoded || decoded->empty()) return std::nullopt;
    return AuthorizedKey{std::string(type), std::string(blob)};
}

}  // namespace example_server
