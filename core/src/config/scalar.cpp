#include "config/scalar.hpp"

#include <cerrno>
#include <cstdlib>

namespace csh::config::detail {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_octal(char c) { return c >= '0' && c <= '7'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

template <typename Pred>
bool all_of(std::string_view text, Pred pred) {
    if (text.empty()) return false;
    for (char c : text) {
        if (!pred(c)) return false;
    }
    return true;
}

bool one_of(std::string_view text, std::initializer_list<std::string_view> words) {
    for (std::string_view word : words) {
        if (text == word) return true;
    }
    return false;
}

std::string_view without_sign(std::string_view text) {
    if (!text.empty() && (text[0] == '+' || text[0] == '-')) text.remove_prefix(1);
    return text;
}

bool is_decimal_integer(std::string_view text) { return all_of(without_sign(text), is_digit); }

bool is_prefixed_integer(std::string_view text) {
    if (text.size() > 2 && text.substr(0, 2) == "0x") return all_of(text.substr(2), is_hex);
    if (text.size() > 2 && text.substr(0, 2) == "0o") return all_of(text.substr(2), is_octal);
    return false;
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool is_decimal_number(std::string_view text) {
    text = without_sign(text);
    std::size_t i = 0;
    std::size_t int_digits = 0;
    while (i < text.size() && is_digit(text[i])) ++i, ++int_digits;
    std::size_t frac_digits = 0;
    if (i < text.size() && text[i] == '.') {
        ++i;
        while (i < text.size() && is_digit(text[i])) ++i, ++frac_digits;
    }
    if (int_digits == 0 && frac_digits == 0) return false;
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
        std::size_t exp_digits = 0;
        while (i < text.size() && is_digit(text[i])) ++i, ++exp_digits;
        if (exp_digits == 0) return false;
    }
    return i == text.size();
}

bool is_special_number(std::string_view text) {
    return one_of(without_sign(text), {".inf", ".Inf", ".INF"}) || one_of(text, {".nan", ".NaN", ".NAN"});
}

std::optional<std::uint64_t> prefixed_value(std::string_view text) {
    std::string digits(text.substr(2));
    errno = 0;
    char* end = nullptr;
    unsigned long long value = std::strtoull(digits.c_str(), &end, text[1] == 'x' ? 16 : 8);
    if (errno == ERANGE || end != digits.c_str() + digits.size()) return std::nullopt;
    return value;
}

// "007" -> "7", "000" -> "0".
std::string_view strip_leading_zeros(std::string_view digits) {
    while (digits.size() > 1 && digits[0] == '0') digits.remove_prefix(1);
    return digits;
}

}  // namespace

Literal classify_plain(std::string_view text) {
    if (one_of(text, {"", "~", "null", "Null", "NULL"})) return Literal::null;
    if (one_of(text, {"true", "True", "TRUE", "false", "False", "FALSE"})) return Literal::boolean;
    if (is_decimal_integer(text) || is_prefixed_integer(text)) return Literal::integer;
    if (is_decimal_number(text) || is_special_number(text)) return Literal::number;
    return Literal::text;
}

std::optional<std::string> json_number(std::string_view text) {
    if (is_prefixed_integer(text)) {
        auto value = prefixed_value(text);
        if (!value) return std::nullopt;
        return std::to_string(*value);
    }
    if (!is_decimal_number(text)) return std::nullopt;  // also refuses .inf and .nan

    std::string out;
    if (text[0] == '-') out += '-';
    text = without_sign(text);
    std::size_t int_end = 0;
    while (int_end < text.size() && is_digit(text[int_end])) ++int_end;
    std::string_view int_part = text.substr(0, int_end);
    out += int_part.empty() ? std::string_view("0") : strip_leading_zeros(int_part);
    std::string_view rest = text.substr(int_end);
    if (!rest.empty() && rest[0] == '.') {
        std::size_t frac_end = 1;
        while (frac_end < rest.size() && is_digit(rest[frac_end])) ++frac_end;
        std::string_view fraction = rest.substr(1, frac_end - 1);
        out += '.';
        out += fraction.empty() ? std::string_view("0") : fraction;
        rest.remove_prefix(frac_end);
    }
    out += rest;  // the exponent, already in JSON's shape
    if (is_decimal_integer(text)) {
        // JSON has no 64-bit limit, but every reader we feed does.
        errno = 0;
        (void)std::strtoll(out.c_str(), nullptr, 10);
        if (errno == ERANGE) {
            errno = 0;
            (void)std::strtoull(out.c_str(), nullptr, 10);
            if (errno == ERANGE || out[0] == '-') return std::nullopt;
        }
    }
    return out;
}

std::optional<bool> parse_bool(const Value& value) {
    if (!value.is_scalar() || value.quoted) return std::nullopt;
    const std::string& text = value.text;
    if (one_of(text, {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"})) return true;
    if (one_of(text, {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"})) return false;
    return std::nullopt;
}

std::optional<std::int64_t> parse_integer(const Value& value) {
    if (!value.is_scalar() || value.quoted) return std::nullopt;
    const std::string& text = value.text;
    if (is_prefixed_integer(text)) {
        auto unsigned_value = prefixed_value(text);
        if (!unsigned_value || *unsigned_value > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
        return static_cast<std::int64_t>(*unsigned_value);
    }
    if (!is_decimal_integer(text)) return std::nullopt;
    errno = 0;
    char* end = nullptr;
    long long parsed = std::strtoll(text.c_str(), &end, 10);
    if (errno == ERANGE || end != text.c_str() + text.size()) return std::nullopt;
    return static_cast<std::int64_t>(parsed);
}

bool reads_as_non_text(std::string_view text) {
    if (classify_plain(text) != Literal::text) return true;
    return one_of(text, {"yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y",
                         "Y", "n", "N", "=", "<<"});
}

}  // namespace csh::config::detail
