#include "security/mode.hpp"

namespace csh::security {
namespace {

Mode parse(std::string_view text) {
    if (text == "disable") return Mode::disable;
    if (text == "filter") return Mode::filter;
    return Mode::enable;
}

}  // namespace

Mode effective_mode(std::string_view item_mode, std::string_view default_mode) {
    if (!item_mode.empty()) return parse(item_mode);
    return parse(default_mode);  // "" falls through to enable
}

const char* mode_name(Mode mode) {
    switch (mode) {
        case Mode::enable: return "enable";
        case Mode::filter: return "filter";
        case Mode::disable: return "disable";
    }
    return "enable";
}

}  // namespace csh::security
