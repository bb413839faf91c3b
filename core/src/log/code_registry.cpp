#include "log/code_registry.hpp"

#include <algorithm>
#include <mutex>
#include <set>

#include "log/codes.hpp"

namespace csh::log {
namespace {

// Markdown cells cannot hold '|' or a line break; explanations are one
// paragraph, so a break becomes a space.
std::string markdown_cell(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == '|') {
            out += "\\|";
        } else if (c == '\n' || c == '\r') {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

// A repeated code is accepted only as an exact copy: same level, same text.
bool same_entry(const CodeInfo& known, const csh_message_code& entry) {
    return known.level == entry.level &&
           known.explanation == std::string_view(entry.explanation != nullptr ? entry.explanation : "");
}

}  // namespace

CodeRegistry::CodeRegistry() = default;

std::optional<std::string> CodeRegistry::add(std::string_view module, const csh_message_code* codes,
                                             std::size_t count) {
    return add_entries(codes, count, [module](std::size_t) { return module; });
}

std::optional<std::string> CodeRegistry::add_core_codes() {
    return add_entries(core_message_codes(), core_message_code_count(),
                       [](std::size_t index) { return std::string_view(core_message_module(index)); });
}

std::optional<std::string> CodeRegistry::add_entries(
    const csh_message_code* codes, std::size_t count,
    const std::function<std::string_view(std::size_t)>& module_of) {
    std::unique_lock lock(mutex_);

    // Check the whole table first so a refused table leaves no trace.
    std::set<std::string_view> in_table;
    for (std::size_t i = 0; i < count; ++i) {
        const char* code = codes[i].code;
        if (code == nullptr || *code == '\0') return std::string();
        if (!in_table.insert(code).second) return std::string(code);
        auto existing = codes_.find(std::string_view(code));
        if (existing != codes_.end() && !same_entry(existing->second, codes[i])) return std::string(code);
    }

    for (std::size_t i = 0; i < count; ++i) {
        const csh_message_code& entry = codes[i];
        std::string code(entry.code);
        if (auto existing = codes_.find(code); existing != codes_.end()) {
            // The same table of a library linked into several plugins.
            const std::string_view module = module_of(i);
            auto& others = shared_with_[code];
            if (module != existing->second.module &&
                std::find(others.begin(), others.end(), module) == others.end()) {
                others.emplace_back(module);
            }
            continue;
        }
        CodeInfo info{code, entry.level, std::string(module_of(i)),
                      entry.explanation != nullptr ? entry.explanation : ""};
        codes_.emplace(std::move(code), std::move(info));
    }
    return std::nullopt;
}

const CodeInfo* CodeRegistry::find(std::string_view code) const {
    std::shared_lock lock(mutex_);
    auto it = codes_.find(code);
    return it != codes_.end() ? &it->second : nullptr;
}

std::vector<CodeInfo> CodeRegistry::all() const {
    std::shared_lock lock(mutex_);
    std::vector<CodeInfo> out;
    out.reserve(codes_.size());
    for (const auto& [code, info] : codes_) {
        out.push_back(info);
        if (auto shared = shared_with_.find(code); shared != shared_with_.end()) {
            for (const auto& module : shared->second) out.back().module += ", " + module;
        }
    }
    return out;
}

std::string CodeRegistry::markdown_table() const {
    std::string out = "| Code | Level | Module | Explanation |\n|------|-------|--------|-------------|\n";
    for (const CodeInfo& info : all()) {
        out += "| `" + markdown_cell(info.code) + "` | " + std::string(level_name(info.level)) + " | " +
               markdown_cell(info.module) + " | " + markdown_cell(info.explanation) + " |\n";
    }
    return out;
}

}  // namespace csh::log
