#include "yaml_to_json.hpp"

#include "json_writer.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <regex>

namespace example_server {
namespace {

bool matches(const std::string& text, const char* pattern) {
    return std::regex_match(text, std::regex(pattern));
}

// Decimal (leading zeros allowed, as YAML 1.2 reads them), 0x… or 0o….
std::int64_t parse_integer(const std::string& text, const std::string& key_path) {
    int base = 10;
    std::size_t skip = 0;
    if (text.rfind("0x", 0) == 0) {
        base = 16;
        skip = 2;
    } else if (text.rfind("0o", 0) == 0) {
        base = 8;
        skip = 2;
    }
    errno = 0;
    const long long number = std::strtoll(text.c_str() + skip, nullptr, base);
    if (errno == ERANGE) throw YamlToJsonError(key_path, "holds the number " + text + ", which is too large");
    return number;
}

// Writes an unquoted scalar with the type YAML 1.2's core schema gives it.
void write_plain_scalar(JsonWriter& json, const std::string& text, const std::string& key_path) {
    if (text.empty() || matches(text, "null|Null|NULL|~")) {
        json.null();
    } else if (matches(text, "true|True|TRUE")) {
        json.value(true);
    } else if (matches(text, "false|False|FALSE")) {
        json.value(false);
    } else if (matches(text, "-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?")) {
        json.raw(text);  // already a JSON number: keep its digits exactly
    } else if (matches(text, "[-+]?[0-9]+|0x[0-9a-fA-F]+|0o[0-7]+")) {
        json.value(parse_integer(text, key_path));
    } else if (matches(text, "[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?")) {
        const double number = std::strtod(text.c_str(), nullptr);
        if (!std::isfinite(number)) throw YamlToJsonError(key_path, "holds the number " + text + ", which is too large");
        json.value(number);
    } else if (matches(text, "[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)")) {
        throw YamlToJsonError(key_path, "holds " + text + ", which has no JSON form; quote it to send it as a string");
    } else {
        json.value(text);
    }
}

void write_node(JsonWriter& json, const YAML::Node& node, const std::string& key_path) {
    switch (node.Type()) {
        case YAML::NodeType::Undefined:
        case YAML::NodeType::Null:
            json.null();
            return;
        case YAML::NodeType::Scalar:
            // yaml-cpp tags quoted scalars "!": they are strings, "true" and
            // "8" included, as is anything tagged !!str explicitly.
            if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") {
                json.value(node.Scalar());
            } else {
                write_plain_scalar(json, node.Scalar(), key_path);
            }
            return;
        case YAML::NodeType::Sequence: {
            json.begin_array();
            std::size_t index = 0;
            for (const YAML::Node& item : node) {
                write_node(json, item, key_path + "[" + std::to_string(index++) + "]");
            }
            json.end_array();
            return;
        }
        case YAML::NodeType::Map:
            json.begin_object();
            for (const auto& entry : node) {
                if (!entry.first.IsScalar()) throw YamlToJsonError(key_path, "has a key that is not a plain string");
                const std::string& key = entry.first.Scalar();
                json.key(key);
                write_node(json, entry.second, key_path + "." + key);
            }
            json.end_object();
            return;
    }
}

}  // namespace

std::string yaml_to_json(const YAML::Node& node, const std::string& key_path) {
    JsonWriter json;
    write_node(json, node, key_path);
    return json.take();
}

}  // namespace example_server
