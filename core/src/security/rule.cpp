#include "security/rule.hpp"

#include <algorithm>

namespace csh::security {
namespace {

bool listed(const std::vector<std::string>& list, std::string_view name) {
    return std::find(list.begin(), list.end(), name) != list.end();
}

}  // namespace

Rule::Rule(const config::SecurityItem& item, std::string_view default_mode)
    : mode_(effective_mode(item.mode, default_mode)), allow_(item.allow), deny_(item.deny) {}

bool Rule::allows(std::string_view name) const {
    switch (mode_) {
        case Mode::enable: return !listed(deny_, name);
        case Mode::filter: return listed(allow_, name);
        case Mode::disable: return false;
    }
    return false;
}

}  // namespace csh::security
