#include "test_support.hpp"

#include <stdexcept>

#include <boost/test/unit_test.hpp>

namespace csh::config::test {

std::string data_file(const std::string& name) { return std::string(CSH_CONFIG_TEST_DATA) + "/" + name; }

ConfigError parse_error(const std::string& text, bool json) {
    try {
        Config::parse(text, json, "test.yaml");
    } catch (const ConfigError& error) {
        return error;
    }
    BOOST_FAIL("no ConfigError for:\n" + text);
    throw std::logic_error("unreachable");
}

Json::Json(const std::string& text) : text_(text) {
    auto error = parser_.parse(text_).get(root_);
    if (error != simdjson::SUCCESS) throw std::runtime_error("not JSON: " + text);
}

simdjson::dom::element Json::at(std::string_view pointer) const {
    simdjson::dom::element element;
    auto error = root_.at_pointer(pointer).get(element);
    if (error != simdjson::SUCCESS) throw std::runtime_error("no " + std::string(pointer) + " in the JSON");
    return element;
}

bool Json::has(std::string_view pointer) const {
    simdjson::dom::element element;
    return root_.at_pointer(pointer).get(element) == simdjson::SUCCESS;
}

simdjson::dom::element_type Json::type_at(std::string_view pointer) const { return at(pointer).type(); }

std::string Json::text_at(std::string_view pointer) const {
    std::string_view text;
    if (at(pointer).get(text) != simdjson::SUCCESS) throw std::runtime_error(std::string(pointer) + " is no string");
    return std::string(text);
}

bool Json::bool_at(std::string_view pointer) const {
    bool value = false;
    if (at(pointer).get(value) != simdjson::SUCCESS) throw std::runtime_error(std::string(pointer) + " is no bool");
    return value;
}

std::int64_t Json::integer_at(std::string_view pointer) const {
    std::int64_t value = 0;
    if (at(pointer).get(value) != simdjson::SUCCESS) throw std::runtime_error(std::string(pointer) + " is no int");
    return value;
}

double Json::double_at(std::string_view pointer) const {
    double value = 0;
    if (at(pointer).get(value) != simdjson::SUCCESS) throw std::runtime_error(std::string(pointer) + " is no number");
    return value;
}

std::size_t Json::size_at(std::string_view pointer) const {
    simdjson::dom::element element = at(pointer);
    simdjson::dom::array array;
    if (element.get(array) == simdjson::SUCCESS) return array.size();
    simdjson::dom::object object;
    if (element.get(object) == simdjson::SUCCESS) return object.size();
    throw std::runtime_error(std::string(pointer) + " is no array or object");
}

}  // namespace csh::config::test
