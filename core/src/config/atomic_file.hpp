// Whole-file reads and crash-safe replacement of the configuration file.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace csh::config::detail {

// Throws std::system_error naming the file.
std::string read_file(const std::filesystem::path& file);

// Readers see the old file or the new one, never a part: the content goes
// to "<file>~" (with the old file's permission bits, so secrets stay as
// private as they were), is flushed to disk, then renamed over the file.
// A symbolic link is followed: its target is replaced. Throws
// std::system_error naming the file; "<file>~" is removed on failure.
void replace_file_atomically(const std::filesystem::path& file, std::string_view content);

}  // namespace csh::config::detail
