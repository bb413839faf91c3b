// Helpers the configuration tests share: data files, the error a text
// produces, and reading the JSON the module writes back with simdjson.
// Scratch directories and file contents come from tests/support.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "config/config.hpp"

namespace csh::config::test {

// tests/unit/config/data/<name>
std::string data_file(const std::string& name);

// The ConfigError that parsing `text` throws; the test fails when none is thrown.
ConfigError parse_error(const std::string& text, bool json = false);

// A parsed JSON document; values are looked up by JSON pointer ("/ssh/listen").
class Json {
public:
    explicit Json(const std::string& text);

    simdjson::dom::element_type type_at(std::string_view pointer) const;
    std::string text_at(std::string_view pointer) const;
    bool bool_at(std::string_view pointer) const;
    std::int64_t integer_at(std::string_view pointer) const;
    double double_at(std::string_view pointer) const;
    std::size_t size_at(std::string_view pointer) const;  // array length or object key count
    bool has(std::string_view pointer) const;

private:
    simdjson::dom::element at(std::string_view pointer) const;

    simdjson::padded_string text_;
    mutable simdjson::dom::parser parser_;
    simdjson::dom::element root_;
};

}  // namespace csh::config::test
