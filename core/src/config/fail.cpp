#include "config/fail.hpp"

#include "config/config_error.hpp"

namespace csh::config::detail {

void fail_at(const Position& where, std::string key_path, std::string problem) {
    // Nodes the program made (defaults, legacy mapping) carry no source.
    std::string source = where.source ? *where.source : std::string("configuration");
    throw ConfigError(std::move(key_path), where.line, std::move(problem), std::move(source));
}

}  // namespace csh::config::detail
