// ConfigSetting: one value of a plugin's configuration section together with
// the key path its problems are reported at, for plugins that pass parts of
// their section on re-serialised (a container's create body, a pod's
// metadata and spec) and so need the simdjson element as well as
// ConfigNode's typed reads. Every problem is a csh::sdk::Error with the
// plugin's code and the key path, never the value.
#pragma once

#include <containerssh/sdk/json_config.hpp>

#include <simdjson.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace csh::sdk {

// ASCII letters compared without regard to case: Go's JSON decoder matches
// object keys this way, and APIs written in Go (Docker's) accept any case.
inline bool same_letters_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

// For a problem that concerns a combination of keys, reported at `path`.
[[noreturn]] inline void config_fail_at(const char* code, const std::string& path, std::string_view problem) {
    ConfigNode(simdjson::dom::element(), path, code).fail(problem);
}

class ConfigSetting {
public:
    ConfigSetting(simdjson::dom::element value, std::string path, const char* code)
        : value_(value), path_(std::move(path)), code_(code) {}

    simdjson::dom::element value() const { return value_; }
    const std::string& path() const { return path_; }
    const char* code() const { return code_; }
    ConfigNode node() const { return ConfigNode(value_, path_, code_); }
    [[noreturn]] void fail(std::string_view problem) const { node().fail(problem); }
    // The value as compact JSON, to pass on.
    std::string compact() const { return simdjson::minify(value_); }

    simdjson::dom::object object() const {
        simdjson::dom::object object;
        if (value_.get_object().get(object) != simdjson::SUCCESS) fail("expected an object");
        return object;
    }
    ConfigSetting child(std::string_view key, simdjson::dom::element value) const {
        return ConfigSetting(value, path_ + "." + std::string(key), code_);
    }
    // The member spelled exactly `key`; nullopt when absent or null, which
    // leave the current value as it is.
    std::optional<ConfigSetting> get(std::string_view key) const {
        simdjson::dom::element value;
        if (object().at_key(key).get(value) != simdjson::SUCCESS || value.is_null()) return std::nullopt;
        return child(key, value);
    }
    // The member named `key` in any letter case. Two spellings of one key are
    // refused: an API that ignores case would quietly keep one of them.
    std::optional<ConfigSetting> get_any_case(std::string_view key) const {
        std::optional<ConfigSetting> found;
        for (const auto member : object()) {
            if (!same_letters_ignoring_case(member.key, key)) continue;
            if (found) child(member.key, member.value).fail("the key is given twice in different letter case");
            found = child(member.key, member.value);
        }
        if (found && found->value_.is_null()) return std::nullopt;
        return found;
    }

    // A timeout as ContainerSSH reads one: a Go duration text ("60s") or a
    // number of nanoseconds, decoded as a float (so 6e10 is accepted as well
    // as 60000000000); above zero. Rounded up to whole milliseconds so that a
    // sub-millisecond timeout does not become zero.
    std::chrono::milliseconds as_timeout() const {
        std::chrono::nanoseconds duration{0};
        if (value_.type() == simdjson::dom::element_type::DOUBLE) {
            double nanos = 0;
            if (value_.get_double().get(nanos) != simdjson::SUCCESS || !std::isfinite(nanos) ||
                std::fabs(nanos) >= 9.2e18) {
                fail("expected a duration such as \"60s\" or a number of nanoseconds");
            }
            duration = std::chrono::nanoseconds(static_cast<std::int64_t>(nanos));
        } else {
            duration = node().as_duration();
        }
        if (duration.count() <= 0) fail("must be longer than zero");
        return std::chrono::ceil<std::chrono::milliseconds>(duration);
    }

private:
    simdjson::dom::element value_;
    std::string path_;
    const char* code_;
};

}  // namespace csh::sdk
