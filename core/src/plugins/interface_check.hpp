// Checks an interface table a plugin returned from get_interface() before the
// host stores it: the table must be at least as large as its version-1 layout
// and every slot documented "Required" in plugin-api must be set.
#pragma once

#include <optional>
#include <string>

namespace csh::plugins {

struct InterfaceDefect {
    /// "<kind>.<field>", e.g. "backend.session_exec".
    std::string field;
    /// What is wrong with it, e.g. "is NULL".
    std::string problem;
};

/// For the interface kinds the host knows (CSH_AUTH/CONFIG/BACKEND/AUDIT/
/// METRICS_INTERFACE_ID) describes the first defect of `table`: a struct_size
/// below the version-1 layout ("config.struct_size"), auth's `methods` being
/// zero ("auth.methods"), or a required slot that is NULL
/// ("backend.session_exec"). Returns nothing for a usable table and for ids the
/// host does not know (their caller is responsible for them). `table` is not NULL.
std::optional<InterfaceDefect> find_interface_defect(const char* interface_id, const void* table);

}  // namespace csh::plugins
