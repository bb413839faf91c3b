// The one error the configuration module throws for a bad configuration. It
// always stands for the message code CORE_CONFIG_ERROR and names the key.
#pragma once

#include <stdexcept>
#include <string>

namespace csh::config {

class ConfigError : public std::runtime_error {
public:
    // what(): "<source>:<line>: <key.path>: <problem>"; the line is left out
    // when 0 (unknown), the key path when empty (the file as a whole).
    ConfigError(std::string key_path, int line, std::string problem, std::string source);

    const std::string& key_path() const { return key_path_; }
    // 1-based; 0 = unknown.
    int line() const { return line_; }
    const std::string& problem() const { return problem_; }
    const std::string& source() const { return source_; }
    // Always "CORE_CONFIG_ERROR".
    const char* code() const;

private:
    std::string key_path_;
    int line_;
    std::string problem_;
    std::string source_;
};

// "<source>:<line>: <key.path>: <text>" with the same omissions as
// ConfigError::what(); also used for deprecation notes.
std::string format_located(const std::string& source, int line, const std::string& key_path,
                           const std::string& text);

}  // namespace csh::config
