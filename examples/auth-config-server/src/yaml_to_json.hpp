// Turns a YAML node from the users file into JSON text, so an operator can
// write any part of a ContainerSSH configuration in YAML and the server
// returns it unchanged under "config".
#pragma once

#include <stdexcept>
#include <string>

#include <yaml-cpp/yaml.h>

namespace example_server {

// Thrown for YAML that has no JSON form; key_path() names the offending key.
class YamlToJsonError : public std::runtime_error {
public:
    YamlToJsonError(std::string key_path, std::string problem)
        : std::runtime_error(key_path + " " + problem), key_path_(std::move(key_path)), problem_(std::move(problem)) {}
    const std::string& key_path() const { return key_path_; }
    // What is wrong, without the key path ("has no JSON form; …").
    const std::string& problem() const { return problem_; }

private:
    std::string key_path_;
    std::string problem_;
};

// Mappings become objects (keys in file order), sequences arrays. Scalars
// follow YAML 1.2's core schema:
// quoted scalars are strings; unquoted true/false, null/~/empty, integers
// (also 0x…/0o…) and decimals become JSON booleans, null and numbers;
// anything else (durations like 60s, image names) is a string.
// `key_path` (e.g. "users.alice.config") prefixes error key paths.
std::string yaml_to_json(const YAML::Node& node, const std::string& key_path);

}  // namespace example_server
