// The error the log module throws when it cannot start: it carries a message
// code so the caller can report it like any other line.
#pragma once

#include <stdexcept>
#include <string>

namespace csh::log {

class LogError : public std::runtime_error {
public:
    LogError(std::string code, std::string message)
        : std::runtime_error(std::move(message)), code_(std::move(code)) {}
    const std::string& code() const { return code_; }

private:
    std::string code_;
};

}  // namespace csh::log
