// Why the loader refused a plugin file or one of its interfaces.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace csh::plugins {

struct Refusal {
    /// The plugin file concerned.
    std::filesystem::path file;
    /// The message code (CORE_PLUGIN_...) to log the refusal with.
    std::string code;
    /// Names the file and the specific field, slot, id or code at fault.
    std::string message;
};

/// A refusal of `file` as a whole: "plugin file <path>: <detail>".
inline Refusal refuse_file(const std::filesystem::path& file, std::string_view code, const std::string& detail) {
    return Refusal{file, std::string(code), "plugin file " + file.string() + ": " + detail};
}

}  // namespace csh::plugins
