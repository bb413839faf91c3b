// Durations as ContainerSSH (Go) writes them in its configuration: "60s",
// "1m30s", "250ms". The core reads the file with these and renders each
// duration of a plugin's section with format_go_duration, so a plugin reads
// them back with parse_go_duration (ConfigNode::duration does).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace csh::sdk {

namespace go_duration_detail {

constexpr std::uint64_t kLimit = std::uint64_t{1} << 63;  // |int64 min|

struct Unit {
    std::string_view name;
    std::uint64_t nanoseconds;
};

constexpr Unit kUnits[] = {
    {"ns", 1},
    {"us", 1'000},
    {"\xC2\xB5s", 1'000},  // U+00B5 micro sign
    {"\xCE\xBCs", 1'000},  // U+03BC Greek mu
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60'000'000'000},
    {"h", 3'600'000'000'000},
};

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Appends the fraction of v / 10^precision without trailing zeros (nothing
// when it is zero) and returns the integer part.
inline std::uint64_t append_fraction(std::string& out, std::uint64_t v, int precision) {
    std::string digits;
    bool significant = false;
    for (int i = 0; i < precision; ++i) {
        int digit = static_cast<int>(v % 10);
        significant = significant || digit != 0;
        if (significant) digits.insert(digits.begin(), static_cast<char>('0' + digit));
        v /= 10;
    }
    if (!digits.empty()) out += "." + digits;
    return v;
}

}  // namespace go_duration_detail

// Go's time.ParseDuration: an optional sign, then one or more decimal
// numbers (fractions allowed) each with a unit ns, us, µs, ms, s, m, h;
// "0" alone is zero. nullopt for anything else or beyond ±292 years.
inline std::optional<std::int64_t> parse_go_duration(std::string_view text) {
    bool negative = false;
    if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
        negative = text[0] == '-';
        text.remove_prefix(1);
    }
    if (text == "0") return 0;
    if (text.empty()) return std::nullopt;

    std::uint64_t total = 0;
    while (!text.empty()) {
        if (!(text[0] == '.' || go_duration_detail::is_digit(text[0]))) return std::nullopt;
        std::uint64_t whole = 0;
        std::size_t i = 0;
        for (; i < text.size() && go_duration_detail::is_digit(text[i]); ++i) {
            if (whole > (go_duration_detail::kLimit - 9) / 10) return std::nullopt;
            whole = whole * 10 + static_cast<std::uint64_t>(text[i] - '0');
        }
        bool has_whole = i > 0;
        text.remove_prefix(i);

        std::uint64_t fraction = 0;
        std::uint64_t scale = 1;
        bool has_fraction = false;
        if (!text.empty() && text[0] == '.') {
            text.remove_prefix(1);
            std::size_t j = 0;
            for (; j < text.size() && go_duration_detail::is_digit(text[j]); ++j) {
                // Digits beyond what 64 bits hold cannot change the result.
                if (scale <= UINT64_MAX / 10 && fraction <= (UINT64_MAX - 9) / 10) {
                    fraction = fraction * 10 + static_cast<std::uint64_t>(text[j] - '0');
                    scale *= 10;
                }
            }
            has_fraction = j > 0;
            text.remove_prefix(j);
        }
        if (!has_whole && !has_fraction) return std::nullopt;

        std::size_t unit_end = 0;
        while (unit_end < text.size() && text[unit_end] != '.' && !go_duration_detail::is_digit(text[unit_end])) ++unit_end;
        std::string_view unit_name = text.substr(0, unit_end);
        text.remove_prefix(unit_end);
        const go_duration_detail::Unit* unit = nullptr;
        for (const go_duration_detail::Unit& candidate : go_duration_detail::kUnits) {
            if (candidate.name == unit_name) unit = &candidate;
        }
        if (unit == nullptr) return std::nullopt;

        if (whole > go_duration_detail::kLimit / unit->nanoseconds) return std::nullopt;
        std::uint64_t value = whole * unit->nanoseconds;
        if (fraction > 0) {
            // fraction/scale < 1, so the product fits when done in long double.
            value += static_cast<std::uint64_t>(static_cast<long double>(fraction) *
                                                static_cast<long double>(unit->nanoseconds) /
                                                static_cast<long double>(scale));
            if (value > go_duration_detail::kLimit) return std::nullopt;
        }
        total += value;
        if (total > go_duration_detail::kLimit) return std::nullopt;
    }
    if (!negative && total > go_duration_detail::kLimit - 1) return std::nullopt;
    return negative ? static_cast<std::int64_t>(0 - total) : static_cast<std::int64_t>(total);
}

// Go's time.Duration.String(): "0s", "250ms", "2s", "1m0s", "1h30m0s", "1.5µs".
inline std::string format_go_duration(std::int64_t nanoseconds) {
    if (nanoseconds == 0) return "0s";
    std::uint64_t u = nanoseconds < 0 ? 0 - static_cast<std::uint64_t>(nanoseconds)
                                      : static_cast<std::uint64_t>(nanoseconds);
    std::string out;
    if (u < 1'000'000'000) {
        if (u < 1'000) {
            out = std::to_string(u) + "ns";
        } else if (u < 1'000'000) {
            std::string fraction;
            std::uint64_t whole = go_duration_detail::append_fraction(fraction, u, 3);
            out = std::to_string(whole) + fraction + "\xC2\xB5s";
        } else {
            std::string fraction;
            std::uint64_t whole = go_duration_detail::append_fraction(fraction, u, 6);
            out = std::to_string(whole) + fraction + "ms";
        }
    } else {
        std::string fraction;
        std::uint64_t seconds = go_duration_detail::append_fraction(fraction, u, 9);
        out = std::to_string(seconds % 60) + fraction + "s";
        std::uint64_t minutes = seconds / 60;
        if (minutes > 0) {
            out = std::to_string(minutes % 60) + "m" + out;
            std::uint64_t hours = minutes / 60;
            if (hours > 0) out = std::to_string(hours) + "h" + out;
        }
    }
    return nanoseconds < 0 ? "-" + out : out;
}

}  // namespace csh::sdk
