#include "config/duration.hpp"

#include "config/scalar.hpp"

namespace csh::config::detail {

std::optional<std::int64_t> parse_duration(const Value& value) {
    if (!value.is_scalar()) return std::nullopt;
    if (!value.quoted && classify_plain(value.text) == Literal::integer) return parse_integer(value);
    return parse_go_duration(value.text);
}

}  // namespace csh::config::detail
