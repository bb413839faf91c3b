// A JSON value of the kubernetes section together with the key path its
// problems are reported at. csh::sdk::ConfigNode does the typed reads; this
// keeps the simdjson element too, because the pod's metadata and spec are
// Kubernetes objects that the plugin passes on re-serialised.
#pragma once

#include <containerssh/sdk/json_config.hpp>

#include <simdjson.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace backend_kubernetes {

class Setting {
public:
    Setting(simdjson::dom::element value, std::string path, const char* code)
        : value_(value), path_(std::move(path)), code_(code) {}

    simdjson::dom::element value() const { return value_; }
    const std::string& path() const { return path_; }
    const char* code() const { return code_; }
    csh::sdk::ConfigNode node() const { return csh::sdk::ConfigNode(value_, path_, code_); }
    [[noreturn]] void fail(std::string_view problem) const { node().fail(problem); }

    simdjson::dom::object object() const {
        simdjson::dom::object object;
        if (value_.get_object().get(object) != simdjson::SUCCESS) fail("expected an object");
        return object;
    }
    Setting child(std::string_view key, simdjson::dom::element value) const {
        return Setting(value, path_ + "." + std::string(key), code_);
    }
    // The member `key`; nullopt when absent or null, which keep the current value.
    std::optional<Setting> get(std::string_view key) const {
        simdjson::dom::element value;
        if (object().at_key(key).get(value) != simdjson::SUCCESS || value.is_null()) return std::nullopt;
        return child(key, value);
    }
    std::string compact() const { return simdjson::minify(value_); }

private:
    simdjson::dom::element value_;
    std::string path_;
    const char* code_;
};

// JSON this plugin wrote itself (defaults, merged objects): always valid.
inline simdjson::dom::element parse_own_json(simdjson::dom::parser& parser, std::string_view json) {
    simdjson::dom::element root;
    if (parser.parse(json.data(), json.size(), true).get(root) != simdjson::SUCCESS) {
        throw std::logic_error("backend-kubernetes wrote invalid JSON");
    }
    return root;
}

// For problems that concern a combination of keys, reported at one of them.
[[noreturn]] inline void fail_at(const char* code, const std::string& path, std::string_view problem) {
    csh::sdk::ConfigNode(simdjson::dom::element(), path, code).fail(problem);
}

}  // namespace backend_kubernetes
