// Reading a plugin's configuration section (JSON text from
// Host::config_section) with simdjson, with errors that name the key path.
// Include only in plugins that link simdjson (target simdjson::simdjson).
//
//     csh::sdk::JsonConfig config(host.config_section("local"), codes::LOCAL_CONFIG_INVALID, "local");
//     csh::sdk::ConfigNode local = config.root();
//     local.allow_only({"shell", "workdir"});
//     auto shell = local.string_list("shell", {"/bin/sh"});
//
// Every problem throws csh::sdk::Error with the given code and a message that
// names the key path and what was expected, never the value (it may be a
// secret).
#pragma once

#include <containerssh/sdk/go_duration.hpp>
#include <containerssh/sdk/types.hpp>

#include <simdjson.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace csh::sdk {

class ConfigNode {
public:
    ConfigNode(simdjson::dom::element element, std::string path, const char* error_code)
        : element_(element), path_(std::move(path)), code_(error_code) {}

    const std::string& path() const { return path_; }
    bool is_null() const { return element_.is_null(); }
    bool is_object() const { return element_.is_object(); }

    [[noreturn]] void fail(std::string_view problem) const {
        throw Error(code_, "invalid configuration at " + path_ + ": " + std::string(problem), {{"key", path_}});
    }

    // Fails unless this node is an object whose keys are all in `allowed`.
    void allow_only(std::initializer_list<std::string_view> allowed) const {
        for (const auto& member : object()) {
            bool known = false;
            for (std::string_view key : allowed) known = known || key == member.key;
            if (!known) child_path_fail(member.key, "unknown key");
        }
    }

    // The member `key`, or nullopt when absent or null.
    std::optional<ConfigNode> get(std::string_view key) const {
        simdjson::dom::element value;
        if (object().at_key(key).get(value) != simdjson::SUCCESS || value.is_null()) return std::nullopt;
        return ConfigNode(value, child_path(key), code_);
    }

    // Every member of this object, in document order.
    std::vector<std::pair<std::string, ConfigNode>> members() const {
        std::vector<std::pair<std::string, ConfigNode>> out;
        for (const auto& member : object()) {
            out.emplace_back(std::string(member.key), ConfigNode(member.value, child_path(member.key), code_));
        }
        return out;
    }

    std::string as_string() const {
        std::string_view text;
        if (element_.get_string().get(text) != simdjson::SUCCESS) fail("expected a string");
        return std::string(text);
    }
    bool as_bool() const {
        bool value = false;
        if (element_.get_bool().get(value) != simdjson::SUCCESS) fail("expected true or false");
        return value;
    }
    // A Go duration text ("2s", "1m0s", as the host renders durations) or a
    // plain integer taken as nanoseconds, as ContainerSSH reads them.
    std::chrono::nanoseconds as_duration() const {
        std::int64_t nanos = 0;
        if (element_.get_int64().get(nanos) == simdjson::SUCCESS) return std::chrono::nanoseconds(nanos);
        std::string_view text;
        if (element_.get_string().get(text) == simdjson::SUCCESS) {
            if (auto parsed = parse_go_duration(text)) return std::chrono::nanoseconds(*parsed);
        }
        fail("expected a duration such as \"2s\", \"500ms\" or \"1m30s\"");
    }
    // A whole number of at least 0 (JSON has no separate integer type: 5.0 is refused).
    std::uint64_t as_uint() const {
        std::uint64_t value = 0;
        if (element_.get_uint64().get(value) != simdjson::SUCCESS) fail("expected a whole number of at least 0");
        return value;
    }
    std::vector<std::string> as_string_list() const {
        simdjson::dom::array array;
        if (element_.get_array().get(array) != simdjson::SUCCESS) fail("expected a list of strings");
        std::vector<std::string> out;
        size_t index = 0;
        for (simdjson::dom::element item : array) {
            out.push_back(ConfigNode(item, path_ + "[" + std::to_string(index++) + "]", code_).as_string());
        }
        return out;
    }

    std::string string(std::string_view key, std::string fallback) const {
        auto node = get(key);
        return node ? node->as_string() : std::move(fallback);
    }
    std::optional<std::string> optional_string(std::string_view key) const {
        auto node = get(key);
        return node ? std::optional<std::string>(node->as_string()) : std::nullopt;
    }
    bool boolean(std::string_view key, bool fallback) const {
        auto node = get(key);
        return node ? node->as_bool() : fallback;
    }
    std::uint64_t uint(std::string_view key, std::uint64_t fallback) const {
        auto node = get(key);
        return node ? node->as_uint() : fallback;
    }
    std::chrono::nanoseconds duration(std::string_view key, std::chrono::nanoseconds fallback) const {
        auto node = get(key);
        return node ? node->as_duration() : fallback;
    }
    std::vector<std::string> string_list(std::string_view key, std::vector<std::string> fallback) const {
        auto node = get(key);
        return node ? node->as_string_list() : std::move(fallback);
    }

private:
    simdjson::dom::object object() const {
        simdjson::dom::object object;
        if (element_.get_object().get(object) != simdjson::SUCCESS) fail("expected an object");
        return object;
    }
    std::string child_path(std::string_view key) const {
        return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
    }
    [[noreturn]] void child_path_fail(std::string_view key, std::string_view problem) const {
        ConfigNode(element_, child_path(key), code_).fail(problem);
    }

    simdjson::dom::element element_;
    std::string path_;
    const char* code_;
};

// Owns the parsed document; nodes borrow from it.
class JsonConfig {
public:
    JsonConfig(std::string_view json, const char* error_code, std::string root_path)
        : code_(error_code), root_path_(std::move(root_path)) {
        if (parser_.parse(json.data(), json.size(), true).get(root_) != simdjson::SUCCESS) {
            throw Error(code_, "the configuration section " + root_path_ + " is not valid JSON",
                        {{"key", root_path_}});
        }
    }
    JsonConfig(const JsonConfig&) = delete;
    JsonConfig& operator=(const JsonConfig&) = delete;

    ConfigNode root() const { return ConfigNode(root_, root_path_, code_); }

private:
    const char* code_;
    std::string root_path_;
    simdjson::dom::parser parser_;
    simdjson::dom::element root_;
};

}  // namespace csh::sdk
