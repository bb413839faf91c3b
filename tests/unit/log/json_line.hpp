// Parses one log line's JSON object (with a real JSON parser, simdjson) into
// what the tests compare: the keys in order and the string values.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace csh::log::test {

struct JsonLine {
    std::vector<std::string> keys;                 // top-level keys, in order
    std::map<std::string, std::string> values;    // top-level string values
    std::vector<std::string> detail_keys;          // keys of "details", in order
    std::map<std::string, std::string> details;   // "details" values (all strings)
};

// Throws std::runtime_error (naming the line) if it is not a JSON object whose
// values are strings, except "details", an object of strings.
JsonLine parse_json_line(const std::string& line);

}  // namespace csh::log::test
