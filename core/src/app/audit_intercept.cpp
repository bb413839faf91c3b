#include "app/audit_intercept.hpp"

#include <simdjson.h>

namespace csh::app {

ssh::AuditIntercept audit_intercept(std::string_view audit_section_json) {
    ssh::AuditIntercept intercept;
    simdjson::dom::parser parser;
    simdjson::dom::element audit;
    if (parser.parse(audit_section_json.data(), audit_section_json.size()).get(audit) != simdjson::SUCCESS) {
        return intercept;
    }
    bool enabled = false;
    if (audit["enable"].get(enabled) != simdjson::SUCCESS || !enabled) return intercept;
    simdjson::dom::element flags;
    if (audit["intercept"].get(flags) != simdjson::SUCCESS) return intercept;
    auto flag = [&](const char* key) {
        bool value = false;
        return flags[key].get(value) == simdjson::SUCCESS && value;
    };
    intercept.stdin_data = flag("stdin");
    intercept.stdout_data = flag("stdout");
    intercept.stderr_data = flag("stderr");
    intercept.passwords = flag("passwords");
    intercept.forwarding = flag("forwarding");
    return intercept;
}

}  // namespace csh::app
