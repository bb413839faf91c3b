#include "config/config_error.hpp"

#include "log/codes.hpp"

namespace csh::config {

std::string format_located(const std::string& source, int line, const std::string& key_path,
                           const std::string& text) {
    std::string out = source;
    if (line > 0) out += ":" + std::to_string(line);
    if (!out.empty()) out += ": ";
    if (!key_path.empty()) out += key_path + ": ";
    return out + text;
}

ConfigError::ConfigError(std::string key_path, int line, std::string problem, std::string source)
    : std::runtime_error(format_located(source, line, key_path, problem)),
      key_path_(std::move(key_path)),
      line_(line > 0 ? line : 0),
      problem_(std::move(problem)),
      source_(std::move(source)) {}

const char* ConfigError::code() const { return codes::CORE_CONFIG_ERROR; }

}  // namespace csh::config
