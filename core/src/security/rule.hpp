// One item of the policy (env, command, shell, subsystem, tty, signal): its
// effective mode and lists, and whether a name passes.
//
// One rule serves every item because the differences are only in which
// lists exist: command has no deny list (so `enable` lets every command
// through), and shell and tty have no lists at all, so `filter` lets
// nothing through and means `disable`, as ContainerSSH documents.
#pragma once

#include "config/security_settings.hpp"
#include "security/mode.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace csh::security {

class Rule {
public:
    // Allows everything.
    Rule() = default;
    Rule(const config::SecurityItem& item, std::string_view default_mode);

    // Exact, case-sensitive match against the lists.
    bool allows(std::string_view name) const;
    Mode mode() const { return mode_; }

private:
    Mode mode_ = Mode::enable;
    std::vector<std::string> allow_;
    std::vector<std::string> deny_;
};

}  // namespace csh::security
