// Helpers the configuration tests share: scratch files, the error a text
// produces, and reading the JSON the module writes back with simdjson.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "config/config.hpp"

namespace csh::config::test {

// A fresh directory under $TMPDIR, removed with its content at scope end.
class ScratchDir {
public:
    ScratchDir();
    ~ScratchDir();
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;

    std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

void write_file(const std::string& path, std::string_view content);
std::string read_file(const std::string& path);

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
