// Every message code the process knows: the core's and each plugin's. Codes
// are unique process-wide, so a code alone identifies its level, its module
// and its explanation in every log line and in `containerssh --list-codes`.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include <containerssh/plugin/plugin.h>

#include "log/level.hpp"

namespace csh::log {

struct CodeInfo {
    std::string code;
    csh_log_level level;
    std::string module;
    std::string explanation;
};

// Thread-safe: tables are added at start-up (control thread) while lookups
// may already run on any thread.
class CodeRegistry {
public:
    CodeRegistry();

    // Copies a whole table under `module`, all or nothing. If a code repeats
    // inside the table, or repeats one already registered with a different
    // level or explanation, nothing is added and that code is returned. An
    // exact copy of a registered entry is accepted and only noted: it is the
    // table of a library linked into several plugins (the webhook client's
    // HTTP_* codes), and all() lists every module that registered it. An entry whose code is NULL or empty is refused the
    // same way and "" is returned. A NULL explanation is taken as "".
    std::optional<std::string> add(std::string_view module, const csh_message_code* codes,
                                   std::size_t count);

    // Registers core_message_codes(), each entry with its own module.
    std::optional<std::string> add_core_codes();

    // nullptr if unknown. Entries are never removed or moved, so the pointer
    // stays valid as long as the registry.
    const CodeInfo* find(std::string_view code) const;

    // Every entry, sorted by code.
    std::vector<CodeInfo> all() const;

    // "| Code | Level | Module | Explanation |", its separator row and one
    // row per code (sorted by code, level as its syslog name), each line
    // ending in '\n'. '|' in any cell is escaped so the table keeps its shape.
    std::string markdown_table() const;

private:
    // One entry per code; the module of each entry comes from `module_of`.
    std::optional<std::string> add_entries(const csh_message_code* codes, std::size_t count,
                                           const std::function<std::string_view(std::size_t)>& module_of);

    mutable std::shared_mutex mutex_;
    // A node-based map keeps CodeInfo addresses stable across insertions;
    // std::less<> allows lookup by string_view without building a string.
    std::map<std::string, CodeInfo, std::less<>> codes_;
    // Modules after the first that registered an exact copy of a code.
    std::map<std::string, std::vector<std::string>, std::less<>> shared_with_;
};

}  // namespace csh::log
