// Throwing a ConfigError at a node: the node's source and line say where.
#pragma once

#include <string>

#include "config/value.hpp"

namespace csh::config::detail {

[[noreturn]] void fail_at(const Position& where, std::string key_path, std::string problem);

}  // namespace csh::config::detail
