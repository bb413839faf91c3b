// security.env.maxVariables and security.env.maxBytes for one session: the
// env requests a session may pass to its backend, counted by number and by
// the bytes of names and values together. Without it one session held
// 3,000 variables of 4 KiB each (12 MB) in the backend. Pure accounting:
// the session channel refuses and logs.
#pragma once

#include <cstddef>

namespace csh::ssh {

class EnvBudget {
public:
    EnvBudget(std::size_t max_variables, std::size_t max_bytes)
        : max_variables_(max_variables), max_bytes_(max_bytes) {}

    enum class Verdict { fits, too_many, too_large };
    // Counts the variable when it fits; a refused one costs nothing. A name
    // set twice counts twice: the backend may keep both.
    Verdict take(std::size_t name_size, std::size_t value_size) {
        if (variables_ >= max_variables_) return Verdict::too_many;
        const std::size_t size = name_size + value_size;
        if (size > max_bytes_ - bytes_) return Verdict::too_large;
        ++variables_;
        bytes_ += size;
        return Verdict::fits;
    }
    std::size_t variables() const { return variables_; }
    std::size_t bytes() const { return bytes_; }

private:
    std::size_t max_variables_;
    std::size_t max_bytes_;
    std::size_t variables_ = 0;
    std::size_t bytes_ = 0;
};

}  // namespace csh::ssh
