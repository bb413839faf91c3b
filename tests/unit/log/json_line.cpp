#include "json_line.hpp"

#include <stdexcept>
#include <string_view>

#include <simdjson.h>

namespace csh::log::test {
namespace {

std::string as_string(simdjson::dom::element value, const std::string& line) {
    std::string_view text;
    if (value.get(text) != simdjson::SUCCESS) throw std::runtime_error("non-string value in: " + line);
    return std::string(text);
}

}  // namespace

JsonLine parse_json_line(const std::string& line) {
    simdjson::dom::parser parser;
    simdjson::dom::object object;
    if (parser.parse(line).get(object) != simdjson::SUCCESS) {
        throw std::runtime_error("not a JSON object: " + line);
    }
    JsonLine out;
    for (auto field : object) {
        const std::string key(field.key);
        out.keys.push_back(key);
        if (key != "details") {
            out.values[key] = as_string(field.value, line);
            continue;
        }
        simdjson::dom::object details;
        if (field.value.get(details) != simdjson::SUCCESS) {
            throw std::runtime_error("details is not an object: " + line);
        }
        for (auto detail : details) {
            out.detail_keys.emplace_back(detail.key);
            out.details[std::string(detail.key)] = as_string(detail.value, line);
        }
    }
    return out;
}

}  // namespace csh::log::test
