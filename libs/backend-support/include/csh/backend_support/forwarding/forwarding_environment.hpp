// The variables a session's forwarding sets up for its program: SSH_AUTH_SOCK
// for ssh -A, DISPLAY for ssh -X. A backend's session derives from this so
// the shared listener (ForwardListener) can reach it through session_of().
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace csh::backend_support {

class ForwardingEnvironment {
public:
    void add_forwarding_environment(std::string name, std::string value) {
        variables_.emplace_back(std::move(name), std::move(value));
    }
    const std::vector<std::pair<std::string, std::string>>& forwarding_environment() const { return variables_; }

protected:
    // Polymorphic so a listener finds it from the session with dynamic_cast.
    virtual ~ForwardingEnvironment() = default;

private:
    std::vector<std::pair<std::string, std::string>> variables_;
};

}  // namespace csh::backend_support
